import {
  type DataQueryRequest,
  type DataQueryResponse,
  CustomVariableSupport,
  FieldType,
  createDataFrame,
} from '@grafana/data';
import { type Observable, from, map } from 'rxjs';
import { VariableQueryEditor } from './components/VariableQueryEditor';
import type { DataSource } from './datasource';
import type { UsageVariableQuery } from './types';

/**
 * Query variables through Grafana's request pipeline, which hands over the dashboard's time range: a users
 * variable refreshed "on time range change" lists the users of that range. Values go back as a frame with a
 * `text` field, the shape Grafana turns into variable options.
 */
export class UsageVariableSupport extends CustomVariableSupport<DataSource, UsageVariableQuery> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: DataSource) {
    super();
  }

  query(request: DataQueryRequest<UsageVariableQuery>): Observable<DataQueryResponse> {
    const target = request.targets[0];
    return from(this.datasource.variableValues(target, request)).pipe(
      map((values) => ({
        data: [
          createDataFrame({
            refId: target?.refId,
            fields: [{ name: 'text', type: FieldType.string, values }],
          }),
        ],
      }))
    );
  }
}
