import { DataSourcePlugin } from '@grafana/data';
import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { QueryHelp } from './components/QueryHelp';
import { DataSource } from './datasource';
import type { UsageOptions, UsageQuery } from './types';

export const plugin = new DataSourcePlugin<DataSource, UsageQuery, UsageOptions>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor)
  .setQueryEditorHelp(QueryHelp);
