import React, { type ChangeEvent } from 'react';
import { InlineField, Input, SecretInput } from '@grafana/ui';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import type { UsageOptions, UsageSecureJsonData } from '../types';
import { ConnectionSettings } from './ConnectionSettings';

type Props = DataSourcePluginOptionsEditorProps<UsageOptions, UsageSecureJsonData>;

/**
 * Daemon URL, default zone and connection settings (readable by viewers), and the API token and TLS PEM blocks
 * (write-only, used by the proxy).
 */
export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData } = options;
  const setJson = (patch: Partial<UsageOptions>) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });

  return (
    <>
      <TextSetting
        id="config-editor-url"
        label="Daemon URL"
        tooltip="Where core4-usage serve listens, as Grafana's server reaches it"
        placeholder="http://core4-usage:8080"
        value={jsonData.url}
        onChange={(url) => setJson({ url })}
      />
      <TokenField options={options} onOptionsChange={onOptionsChange} />
      <TextSetting
        id="config-editor-timezone"
        label="Default time zone"
        tooltip="IANA zone for dashboards without one; empty means the browser's"
        placeholder="Europe/Berlin"
        value={jsonData.defaultTimezone}
        onChange={(defaultTimezone) => setJson({ defaultTimezone })}
      />
      <ConnectionSettings options={options} onOptionsChange={onOptionsChange} />
    </>
  );
}

/** One text setting of the data source (readable by every viewer: never a secret). */
function TextSetting(props: {
  id: string;
  label: string;
  tooltip: string;
  placeholder: string;
  value: string | undefined;
  onChange: (value: string) => void;
}) {
  return (
    <InlineField label={props.label} labelWidth={18} tooltip={props.tooltip}>
      <Input
        id={props.id}
        value={props.value ?? ''}
        placeholder={props.placeholder}
        width={40}
        onChange={(e: ChangeEvent<HTMLInputElement>) => props.onChange(e.target.value)}
      />
    </InlineField>
  );
}

/** The API token: write-only, stored encrypted by Grafana and added to every request by its proxy. */
function TokenField({ options, onOptionsChange }: Props) {
  const { secureJsonFields, secureJsonData } = options;
  return (
    <InlineField
      label="API token"
      labelWidth={18}
      tooltip="USAGE_READ_TOKEN of the daemon; stored encrypted and added by Grafana's proxy"
    >
      <SecretInput
        id="config-editor-token"
        isConfigured={Boolean(secureJsonFields?.token)}
        value={secureJsonData?.token ?? ''}
        placeholder="leave empty if the daemon has no token"
        width={40}
        onReset={() =>
          onOptionsChange({
            ...options,
            secureJsonFields: { ...secureJsonFields, token: false },
            secureJsonData: { ...secureJsonData, token: '' },
          })
        }
        onChange={(e: ChangeEvent<HTMLInputElement>) =>
          onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, token: e.target.value } })
        }
      />
    </InlineField>
  );
}
