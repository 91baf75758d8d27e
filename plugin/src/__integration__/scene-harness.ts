/**
 * Grafana's dashboard engine around the plugin: the provisioned dashboard JSON turned into real
 * @grafana/scenes objects (SceneQueryRunner per panel, QueryVariables, the annotation layer), with the few
 * services Grafana itself wires at boot stood in for:
 * - Grafana 12: `config.buildInfo.version` is 12.x, so scenes wraps `__sceneObject` in a
 *   SafeSerializableSceneObject (scenes' utils/wrapInSafeSerializableSceneObject.ts: from 10.4.8 on);
 * - getTemplateSrv(): Grafana's TemplateSrv hands `scopedVars.__sceneObject.value.valueOf()` to
 *   `sceneGraph.interpolate` (public/app/features/templating/template_srv.ts), which is what it does here;
 * - setRunRequest(): Grafana's runRequest (public/app/features/query/state/runRequest.ts) calls the data
 *   source's query() (or the query function it is given: variables pass `ds.variables.query`) and turns
 *   each response into PanelData (Loading, then Done or Error);
 * - getDataSourceSrv(): a registry with this one data source;
 * - getBackendSrv(): real HTTP to the proxy stand-in (backend-srv.ts, grafana-proxy.ts).
 * The mapping from dashboard JSON follows Grafana's transformSaveModelToScene
 * (public/app/features/dashboard-scene/serialization/transformSaveModelToScene.ts): one SceneQueryRunner
 * per panel with `maxDataPointsFromWidth: true`, QueryVariable and CustomVariable with the JSON's fields, and
 * the annotation list as AnnotationsDataLayer objects. A panel with `repeat` is one copy per value of its
 * variable, each with a LocalValueVariable holding that value, as Grafana's DashboardGridItem.performRepeat
 * (public/app/features/dashboard-scene/scene/layout-default/DashboardGridItem.tsx) clones it; scenes'
 * SceneByVariableRepeater makes the copies when the variable has its value. Panels themselves (time series, table) live in Grafana's core and
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
  config,
  setBackendSrv,
  setDataSourceSrv,
  setRunRequest,
  setTemplateSrv,
  toDataQueryError,
} from '@grafana/runtime';
import {
  type SceneObject,
  type SceneVariable,
  CustomVariable,
  EmbeddedScene,
  LocalValueVariable,
  QueryVariable,
  SceneByVariableRepeater,
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
    /** The variable a panel is repeated by. */
    repeat?: string;
  }>;
}

/** The Grafana version the harness runs as. */
export const GRAFANA_VERSION = '12.4.0';

/** Grafana's TemplateSrv, for what a scenes dashboard uses of it. */
const sceneTemplateSrv = {
  replace(target?: string, scopedVars?: Record<string, { value?: unknown }>, format?: string | Function): string {
    // Grafana 12's TemplateSrv: `.valueOf()` unwraps scenes' SafeSerializableSceneObject.
    const scene = (scopedVars?.__sceneObject?.value as { valueOf(): unknown } | undefined)?.valueOf() as
      SceneObject | undefined;
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
    // As runRequest's catchError: the error as @grafana/runtime's toDataQueryError shapes it.
    catchError((error: unknown) =>
      of<PanelData>({
        state: LoadingState.Error,
        series: [],
        error: toDataQueryError(error),
        errors: [toDataQueryError(error)],
        timeRange: request.range,
        request,
      })
    ),
    startWith(loading)
  );
}

/** Wires Grafana's boot-time services; the data source is made after this, so it picks up the TemplateSrv. */
export function installGrafanaServices(backend: BackendSrv): void {
  // Grafana 12 as the version scenes checks (jest's default is "1.0", a pre-10.4.8 compatibility mode).
  config.buildInfo = { ...config.buildInfo, version: GRAFANA_VERSION };
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
  /** A repeated panel's copies' runners as they are now, by panel id (in the variable's order). */
  repeats: Map<number, () => SceneQueryRunner[]>;
  variables: SceneVariableSet;
  annotations: SceneDataLayerSet;
  deactivate(): void;
}

/** A 24-column grid on a screen `screenPx` wide: a panel's width in pixels, as its runner is told. */
function panelWidth(gridW: number, screenPx: number): number {
  return Math.round((gridW / 24) * screenPx);
}

/** A dashboard variable as transformSaveModelToScene makes it: a QueryVariable, or a CustomVariable. */
function variableOf(v: Record<string, unknown>): SceneVariable {
  const current = v.current as { value?: never; text?: never } | undefined;
  const common = {
    name: String(v.name),
    label: v.label as string | undefined,
    isMulti: Boolean(v.multi),
    includeAll: Boolean(v.includeAll),
    allValue: (v.allValue as string | undefined) || undefined,
    defaultToAll: Boolean(v.includeAll) && JSON.stringify(current?.value).includes('$__all'),
    value: current?.value,
    text: current?.text,
  };
  if (v.type === 'custom') {
    return new CustomVariable({ ...common, query: String(v.query) });
  }
  return new QueryVariable({
    ...common,
    datasource: v.datasource as never,
    query: v.query as never,
    definition: v.definition as string | undefined,
    refresh: v.refresh as never,
  });
}

type Panel = DashboardJson['panels'][number];

/** A panel's query runner, told the panel's width as the dashboard's grid gives it. */
function runnerOf(p: Panel, screenPx: number): SceneQueryRunner {
  const runner = new SceneQueryRunner({
    datasource: p.targets?.[0]?.datasource as never,
    queries: (p.targets ?? []) as never,
    maxDataPointsFromWidth: true,
  });
  runner.setContainerWidth(panelWidth(p.gridPos.w, screenPx));
  return runner;
}

/**
 * A repeated panel: one copy per value of its variable, each with the value in a LocalValueVariable (as
 * DashboardGridItem.performRepeat). Copies are made when the variable has its value; `copies` holds their
 * runners, in the variable's order, and each copy is activated as rendering would.
 */
function repeatedPanel(p: Panel, screenPx: number, copies: Map<number, () => SceneQueryRunner[]>) {
  const activeCopies: Array<() => void> = [];
  const repeater = new SceneByVariableRepeater({
    variableName: p.repeat ?? '',
    body: new SceneFlexLayout({ children: [] }),
    getLayoutChild: (option) => {
      const runner = runnerOf(p, screenPx);
      return new SceneFlexItem({
        $variables: new SceneVariableSet({
          variables: [
            new LocalValueVariable({ name: p.repeat ?? '', value: option.value, text: String(option.label) }),
          ],
        }),
        $data: runner,
        body: new SceneReactObject({ component: () => null }),
      });
    },
  });
  copies.set(p.id, () =>
    repeater.state.body.state.children.map((child) => (child as SceneFlexItem).state.$data as SceneQueryRunner)
  );
  repeater.addActivationHandler(() => {
    // React renders the copies after the state change that made them, once the variable update that
    // caused it has completed (a copy activated inside it would wait for that update forever): so here too.
    let render: ReturnType<typeof setTimeout> | undefined;
    const activate = (children: SceneObject[]) => {
      clearTimeout(render);
      render = setTimeout(() => {
        activeCopies.splice(0).forEach((d) => d());
        activeCopies.push(...children.map((child) => child.activate()));
      }, 0);
    };
    // The repeater renders its body (a layout), which renders the copies: active parents, as React mounts
    // them, so that variable updates reach the copies. Its own activation made the first copies already.
    const body = repeater.state.body.activate();
    activate(repeater.state.body.state.children);
    const sub = repeater.state.body.subscribeToState((state) => activate(state.children));
    return () => {
      sub.unsubscribe();
      clearTimeout(render);
      activeCopies.splice(0).forEach((d) => d());
      body();
    };
  });
  return new SceneFlexItem({ body: repeater });
}

/** The dashboard JSON as scenes objects (only this data source's panels get a runner). */
export function buildDashboardScene(
  json: DashboardJson,
  options: { dsType: string; screenPx: number; timezone?: string }
) {
  const variables = new SceneVariableSet({ variables: json.templating.list.map(variableOf) });
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
  const repeats = new Map<number, () => SceneQueryRunner[]>();
  const items = json.panels
    .filter((p) => p.targets?.some((t) => (t.datasource as { type?: string })?.type === options.dsType))
    .map((p) => {
      if (p.repeat) {
        return repeatedPanel(p, options.screenPx, repeats);
      }
      const runner = runnerOf(p, options.screenPx);
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
    ...items.flatMap((item) =>
      item.state.body instanceof SceneByVariableRepeater ? [item.state.body.activate()] : []
    ),
  ];
  return {
    scene,
    runners,
    repeats,
    variables,
    annotations,
    deactivate: () => deactivations.reverse().forEach((d) => d()),
  } satisfies DashboardScene;
}
