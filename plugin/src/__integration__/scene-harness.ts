/**
 * Grafana's dashboard engine around the plugin: the provisioned dashboard JSON turned into real
 * @grafana/scenes objects (SceneQueryRunner per panel, QueryVariables, the annotation layer), with the few
 * services Grafana itself wires at boot stood in for:
 * - getTemplateSrv(): Grafana's TemplateSrv hands a `scopedVars.__sceneObject` to `sceneGraph.interpolate`
 *   (public/app/features/templating/template_srv.ts), which is what it does here;
 * - setRunRequest(): Grafana's runRequest (public/app/features/query/state/runRequest.ts) calls the data
 *   source's query() (or the query function it is given: variables pass `ds.variables.query`) and turns
 *   each response into PanelData (Loading, then Done or Error);
 * - getDataSourceSrv(): a registry with this one data source;
 * - getBackendSrv(): real HTTP to the proxy stand-in (backend-srv.ts, grafana-proxy.ts).
 * The mapping from dashboard JSON follows Grafana's transformSaveModelToScene
 * (public/app/features/dashboard-scene/serialization/transformSaveModelToScene.ts): one SceneQueryRunner
 * per panel with `maxDataPointsFromWidth: true`, QueryVariable with the JSON's fields, and the annotation
 * list as AnnotationsDataLayer objects. Panels themselves (time series, table) live in Grafana's core and
 * are not rendered: the tests read what a panel receives.
 */
import {
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
  type DataSourceInstanceSettings,
  type PanelData,
  LoadingState,
} from '@grafana/data';
import {
  type BackendSrv,
  type DataSourceSrv,
  type TemplateSrv,
  setBackendSrv,
  setDataSourceSrv,
  setRunRequest,
  setTemplateSrv,
} from '@grafana/runtime';
import {
  type SceneObject,
  EmbeddedScene,
  QueryVariable,
  SceneDataLayerSet,
  SceneFlexItem,
  SceneFlexLayout,
  SceneQueryRunner,
  SceneReactObject,
  SceneTimeRange,
  SceneVariableSet,
  dataLayers,
  sceneGraph,
} from '@grafana/scenes';
import { type Observable, catchError, from, isObservable, map, of, startWith } from 'rxjs';

export interface DashboardJson {
  time: { from: string; to: string };
  timezone?: string;
  templating: { list: Array<Record<string, unknown>> };
  annotations: { list: Array<Record<string, unknown>> };
  panels: Array<{
    id: number;
    title: string;
    type: string;
    gridPos: { w: number };
    targets?: Array<Record<string, unknown>>;
  }>;
}

/** Grafana's TemplateSrv, for what a scenes dashboard uses of it. */
const sceneTemplateSrv = {
  replace(target?: string, scopedVars?: Record<string, { value?: unknown }>, format?: string | Function): string {
    const scene = scopedVars?.__sceneObject?.value as SceneObject | undefined;
    if (target === undefined) {
      return '';
    }
    return scene ? sceneGraph.interpolate(scene, target, scopedVars as never, format as never) : target;
  },
  getVariables: () => [],
  containsTemplate: (text?: string) => Boolean(text && /\$|\[\[/.test(text)),
  updateTimeRange: () => undefined,
} as unknown as TemplateSrv;

function runRequest(
  ds: DataSourceApi,
  request: DataQueryRequest,
  queryFunction?: (request: DataQueryRequest) => Observable<DataQueryResponse> | Promise<DataQueryResponse>
): Observable<PanelData> {
  // As Grafana's runRequest: the caller may name the function (variables pass `ds.variables.query`).
  const response = queryFunction ? queryFunction(request) : (ds.query(request) as Observable<DataQueryResponse>);
  const responses = isObservable(response) ? response : from(response);
  const loading: PanelData = { state: LoadingState.Loading, series: [], timeRange: request.range, request };
  return responses.pipe(
    map((r): PanelData => ({
      state: r.errors?.length ? LoadingState.Error : (r.state ?? LoadingState.Done),
      series: r.data,
      errors: r.errors,
      error: r.errors?.[0],
      timeRange: request.range,
      request,
    })),
    catchError((error: unknown) =>
      of<PanelData>({
        state: LoadingState.Error,
        series: [],
        error: { message: error instanceof Error ? error.message : String(error) },
        errors: [{ message: error instanceof Error ? error.message : String(error) }],
        timeRange: request.range,
        request,
      })
    ),
    startWith(loading)
  );
}

/** Wires Grafana's boot-time services; the data source is made after this, so it picks up the TemplateSrv. */
export function installGrafanaServices(backend: BackendSrv): void {
  setBackendSrv(backend);
  setTemplateSrv(sceneTemplateSrv);
  setRunRequest(runRequest as never);
}

export function registerDataSource(ds: DataSourceApi, settings: DataSourceInstanceSettings): void {
  setDataSourceSrv({
    get: async () => ds,
    getInstanceSettings: () => settings,
    getList: () => [settings],
    reload: async () => undefined,
    registerRuntimeDataSource: () => undefined,
  } as unknown as DataSourceSrv);
}

export interface DashboardScene {
  scene: EmbeddedScene;
  runners: Map<number, SceneQueryRunner>;
  variables: SceneVariableSet;
  annotations: SceneDataLayerSet;
  deactivate(): void;
}

/** A 24-column grid on a screen `screenPx` wide: a panel's width in pixels, as its runner is told. */
function panelWidth(gridW: number, screenPx: number): number {
  return Math.round((gridW / 24) * screenPx);
}

/** The dashboard JSON as scenes objects (only this data source's panels get a runner). */
export function buildDashboardScene(
  json: DashboardJson,
  options: { dsType: string; screenPx: number; timezone?: string }
) {
  const variables = new SceneVariableSet({
    variables: json.templating.list.map(
      (v) =>
        new QueryVariable({
          name: String(v.name),
          label: v.label as string | undefined,
          datasource: v.datasource as never,
          query: v.query as never,
          definition: v.definition as string | undefined,
          refresh: v.refresh as never,
          isMulti: Boolean(v.multi),
          includeAll: Boolean(v.includeAll),
          allValue: (v.allValue as string | undefined) || undefined,
          defaultToAll:
            Boolean(v.includeAll) && JSON.stringify((v.current as { value?: unknown })?.value).includes('$__all'),
          value: (v.current as { value?: never })?.value,
          text: (v.current as { text?: never })?.text,
        })
    ),
  });
  const annotations = new SceneDataLayerSet({
    layers: json.annotations.list
      .filter((a) => (a.datasource as { type?: string })?.type === options.dsType)
      .map(
        (a) =>
          new dataLayers.AnnotationsDataLayer({
            name: String(a.name),
            isEnabled: a.enable !== false,
            query: a as never,
          })
      ),
  });
  const runners = new Map<number, SceneQueryRunner>();
  const items = json.panels
    .filter((p) => p.targets?.some((t) => (t.datasource as { type?: string })?.type === options.dsType))
    .map((p) => {
      const runner = new SceneQueryRunner({
        datasource: p.targets?.[0]?.datasource as never,
        queries: (p.targets ?? []) as never,
        maxDataPointsFromWidth: true,
      });
      runner.setContainerWidth(panelWidth(p.gridPos.w, options.screenPx));
      runners.set(p.id, runner);
      return new SceneFlexItem({ $data: runner, body: new SceneReactObject({ component: () => null }) });
    });
  const scene = new EmbeddedScene({
    $timeRange: new SceneTimeRange({
      from: json.time.from,
      to: json.time.to,
      timeZone: options.timezone ?? json.timezone,
    }),
    $variables: variables,
    $data: annotations,
    body: new SceneFlexLayout({ children: items }),
  });
  // Parents before children, as React mounts them: activation is what rendering does to a scene object,
  // and scenes tells only active objects that a variable finished loading.
  // The annotation layers are activated by their own components (the dashboard's layer controls).
  const deactivations = [
    scene.activate(),
    ...annotations.state.layers.map((layer) => layer.activate()),
    scene.state.body.activate(),
    ...items.map((item) => item.activate()),
  ];
  return {
    scene,
    runners,
    variables,
    annotations,
    deactivate: () => deactivations.reverse().forEach((d) => d()),
  } satisfies DashboardScene;
}
