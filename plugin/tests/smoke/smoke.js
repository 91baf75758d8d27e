// Drives the built plugin on the stand-in page: a fetch-backed BackendSrv (requests go to /proxy, which
// plays Grafana's data-source proxy), the DataSource from dist/module.js, one query, the values drawn.
/* global window, document */
(function () {
  const host = window.smokeHost;
  const rxjs = host.rxjs;
  host.grafanaRuntime.setBackendSrv({
    fetch: function (options) {
      return new rxjs.Observable(function (subscriber) {
        const search = new URLSearchParams();
        Object.keys(options.params || {}).forEach(function (key) {
          [].concat(options.params[key]).forEach(function (v) {
            search.append(key, String(v));
          });
        });
        const url = options.url + (search.toString() ? '?' + search.toString() : '');
        window.fetch(url).then(
          function (response) {
            return response.json().then(function (data) {
              const result = {
                data: data,
                status: response.status,
                ok: response.ok,
                statusText: response.statusText,
                config: options,
              };
              if (response.ok) {
                subscriber.next(result);
                subscriber.complete();
              } else {
                subscriber.error(result);
              }
            });
          },
          function (error) {
            subscriber.error({ status: 502, data: { message: String(error) }, config: options });
          }
        );
      });
    },
  });

  window.runSmoke = function () {
    const plugin = window.pluginModule.plugin;
    const settings = {
      id: 1,
      uid: 'core4',
      type: 'core4-usage-datasource',
      name: 'core4 usage',
      url: '/proxy',
      jsonData: {},
      meta: {},
    };
    const DataSourceClass = plugin.DataSourceClass;
    const ds = new DataSourceClass(settings, {
      replace: function (s) {
        return s;
      },
    });
    const now = Date.now();
    const params = new URLSearchParams(window.location.search);
    const days = Number(params.get('days') || 84);
    const query = { refId: 'A', metric: params.get('metric') || 'users', aggregate: 'auto' };
    const request = {
      requestId: 'smoke',
      interval: '1w',
      intervalMs: 7 * 86400000,
      maxDataPoints: 100,
      scopedVars: {},
      range: {
        from: host.grafanaData.dateTime(now - days * 86400000),
        to: host.grafanaData.dateTime(now),
        raw: { from: 'now-' + days + 'd', to: 'now' },
      },
      targets: [query],
      timezone: params.get('tz') || 'browser',
      app: 'dashboard',
      startTime: now,
    };
    const root = host.ReactDOMClient.createRoot(document.getElementById('editor'));
    root.render(
      host.React.createElement(plugin.components.QueryEditor, {
        datasource: ds,
        query: query,
        onChange: function () {},
        onRunQuery: function () {},
      })
    );
    // query() answers an Observable (Grafana subscribes to it, and unsubscribing cancels the request).
    rxjs
      .lastValueFrom(ds.query(request))
      .then(function (response) {
        if (response.errors) {
          throw new Error(response.errors[0].message);
        }
        const frame = response.data[0];
        const times = frame.fields[0].values;
        const values = frame.fields[1].values;
        const partial = frame.fields[2].values;
        document.querySelector('#values tbody').innerHTML = times
          .map(function (t, i) {
            return (
              '<tr><td>' +
              new Date(t).toISOString() +
              '</td><td class="v">' +
              values[i] +
              '</td><td>' +
              (partial[i] ? 'yes' : '') +
              '</td></tr>'
            );
          })
          .join('');
        const max = Math.max.apply(null, values.concat([1]));
        const points = values
          .map(function (v, i) {
            return (
              (20 + (i * 860) / Math.max(1, values.length - 1)).toFixed(1) + ',' + (200 - (v / max) * 180).toFixed(1)
            );
          })
          .join(' ');
        document.getElementById('chart').innerHTML =
          '<polyline fill="none" stroke="#1f60c4" stroke-width="3" points="' + points + '"/>';
        window.smokeResult = {
          aggregate: frame.meta.custom.aggregate,
          tz: frame.meta.custom.tz,
          start: now - days * 86400000,
          end: now,
          times: times,
          values: values,
        };
        document.body.dataset.state = 'ready';
      })
      .catch(function (error) {
        window.smokeError = String(error && error.message ? error.message : error);
        document.body.dataset.state = 'error';
      });
  };
})();
