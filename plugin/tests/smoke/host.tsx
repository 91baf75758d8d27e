// The stand-in for Grafana's page: the real React, rxjs and @grafana/* packages, exposed to the built AMD
// module through a small define() shim, as Grafana's SystemJS loader would provide them.
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as ReactDOMClient from 'react-dom/client';
import * as rxjs from 'rxjs';
import * as grafanaData from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUi from '@grafana/ui';

const modules: Record<string, unknown> = {
  react: React,
  'react-dom': ReactDOM,
  rxjs,
  '@grafana/data': grafanaData,
  '@grafana/runtime': grafanaRuntime,
  '@grafana/ui': grafanaUi,
  // SystemJS hands AMD modules their own `module` (webpack reads the public path from its uri).
  module: { uri: '/plugin/module.js' },
};
const host = window as unknown as Record<string, unknown>;
host.smokeHost = { React, ReactDOMClient, grafanaData, grafanaRuntime, grafanaUi, rxjs };
host.define = (deps: string[], factory: (...args: unknown[]) => unknown) => {
  const exports: Record<string, unknown> = {};
  const resolved = deps.map((d) => {
    if (d === 'exports') return exports;
    if (!(d in modules)) throw new Error(`smoke host: no module ${d}`);
    return modules[d];
  });
  const result = factory(...resolved);
  host.pluginModule = result ?? exports;
};
(host.define as { amd?: boolean }).amd = true;
