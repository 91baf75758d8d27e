// The original's widget, reborn: a line chart of /api/v1/logins with its controls in the page and its state
// in the URL. Plain browser JavaScript and uPlot served by the daemon, so it works offline.
(function () {
  'use strict';
  var LABELS = {
    users: 'unique users',
    logins: 'logins',
    new_users: 'new users',
    active_7d: 'active in 7 days (WAU)',
    active_28d: 'active in 28 days',
    active_30d: 'active in 30 days (MAU)',
    stickiness: 'stickiness (DAU / MAU)',
    returning: 'returning',
    resurrecting: 'resurrecting',
    dormant: 'dormant',
    retention: 'retention',
  };
  // Retention cohorts come in days, weeks or months: the nearest to the chosen aggregate.
  var COHORT = { hour: 'day', day: 'day', week: 'week', month: 'month', quarter: 'month', year: 'month' };
  var form = document.getElementById('controls');
  var fields = ['metric', 'aggregate', 'by', 'source', 'tz', 'start', 'end'];
  // A breakdown's series: the eight largest values and the rest as other, one colour each.
  var SERIES = 8;
  var COLOURS = [
    '#2f6fde',
    '#e4572e',
    '#17bebb',
    '#ffc914',
    '#76b041',
    '#9b5de5',
    '#f15bb5',
    '#00a6a6',
    '#7f7f7f',
  ];
  var token = '';
  var chart = null;

  function isoDay(date) {
    return date.toISOString().slice(0, 10);
  }

  function readState() {
    var params = new URLSearchParams(window.location.search);
    var today = new Date();
    return {
      metric: params.get('metric') || 'users',
      aggregate: params.get('aggregate') || 'week',
      by: params.get('by') || '',
      source: params.get('source') || '',
      tz: params.get('tz') || 'UTC',
      start: params.get('start') || isoDay(new Date(today.getTime() - 90 * 86400000)),
      end: params.get('end') || isoDay(new Date(today.getTime() + 86400000)),
    };
  }

  function showError(message) {
    var box = document.getElementById('error');
    box.textContent = message;
    box.hidden = !message;
  }

  function showHorizon(answer) {
    document.getElementById('horizon').textContent = answer.dataUntil
      ? 'data complete up to ' + new Date(answer.dataUntil).toISOString()
      : 'no data yet';
  }

  // The retention matrix as a table (cohort, size, then one column per later period); no chart.
  function renderRetention(answer) {
    var width = answer.cohorts.reduce(function (n, c) {
      return Math.max(n, c.retained.length);
    }, 0);
    var head = ['<th>cohort (' + answer.cohort + ')</th>', '<th>users</th>'];
    for (var k = 0; k < width; k += 1) head.push('<th>' + answer.cohort + ' ' + k + '</th>');
    document.querySelector('#values thead tr').innerHTML = head.join('');
    document.querySelector('#values tbody').innerHTML = answer.cohorts
      .map(function (c) {
        var cells = c.retained.map(function (n) {
          var share = c.size ? Math.round((100 * n) / c.size) : 0;
          return '<td title="' + share + ' %">' + n + '</td>';
        });
        return (
          '<tr><td>' +
          c.start +
          (c.partial ? ' (partial)' : '') +
          '</td><td>' +
          c.size +
          '</td>' +
          cells.join('') +
          '</tr>'
        );
      })
      .join('');
    showHorizon(answer);
    if (chart) chart.destroy();
    chart = null;
    window.widgetChart = null;
    document.body.dataset.state = 'ready';
  }

  /** The values under the chart, one row per bucket. */
  function renderTable(state, buckets) {
    var rows = buckets.map(function (b) {
      return (
        '<tr><td>' +
        b.start +
        '</td><td>' +
        b[state.metric] +
        '</td><td>' +
        (b.partial ? 'yes' : '') +
        '</td></tr>'
      );
    });
    document.querySelector('#values thead tr').innerHTML =
      '<th>bucket start</th><th id="value-header"></th><th>partial</th>';
    document.querySelector('#values tbody').innerHTML = rows.join('');
    document.getElementById('value-header').textContent = LABELS[state.metric];
  }

  /** A breakdown's table: one row per bucket, one column per series (headers set as text, never as HTML). */
  function renderSeriesTable(state, answer) {
    var series = answer.series;
    var head = document.querySelector('#values thead tr');
    head.innerHTML = '<th>bucket start</th>';
    series.forEach(function (s) {
      var th = document.createElement('th');
      th.textContent = s.key;
      head.appendChild(th);
    });
    document.querySelector('#values tbody').innerHTML = answer.buckets
      .map(function (b, i) {
        var cells = series.map(function (s) {
          return '<td>' + s.buckets[i][state.metric] + '</td>';
        });
        return '<tr><td>' + b.start + '</td>' + cells.join('') + '</tr>';
      })
      .join('');
  }

  /** Draws the chart of an answer (its buckets' starts on the x axis) in place of the previous one. */
  function drawChart(answer, title, series, values) {
    var target = document.getElementById('chart');
    if (chart) chart.destroy();
    chart = new uPlot(
      {
        title: title + ' (' + answer.tz + ')',
        width: Math.max(480, target.clientWidth || 900),
        height: 360,
        tzDate: function (ts) {
          return uPlot.tzDate(new Date(ts * 1000), answer.tz);
        },
        scales: { x: { time: true } },
        series: [{}].concat(series),
      },
      [answer.buckets.map(bucketTime)].concat(values),
      target
    );
    window.widgetChart = chart;
    document.body.dataset.state = 'ready';
  }

  function bucketTime(b) {
    return Date.parse(b.start) / 1000;
  }

  /** A breakdown: one line per series (the value, or other), and a table with a column per series. */
  function renderBreakdown(state, answer) {
    renderSeriesTable(state, answer);
    showHorizon(answer);
    drawChart(
      answer,
      LABELS[state.metric] + ' per ' + answer.aggregate + ' by core4 group',
      answer.series.map(function (s, i) {
        return { label: s.key, stroke: COLOURS[i % COLOURS.length], width: 2, points: { show: true } };
      }),
      answer.series.map(function (s) {
        return s.buckets.map(function (b) {
          return b[state.metric];
        });
      })
    );
  }

  function render(state, answer) {
    if (answer.series) return renderBreakdown(state, answer);
    var buckets = answer.buckets;
    var ys = buckets.map(function (b) {
      return b[state.metric];
    });
    // A bucket the range cuts holds fewer days than the others: drawn dashed and hollow, so that a cut first
    // or last week does not read as a drop in usage. The dashed series joins its complete neighbour.
    var whole = buckets.map(function (b, i) {
      return b.partial ? null : ys[i];
    });
    var cut = buckets.map(function (b, i) {
      var next = buckets[i + 1];
      var previous = buckets[i - 1];
      return b.partial || (next && next.partial) || (previous && previous.partial) ? ys[i] : null;
    });
    renderTable(state, buckets);
    showHorizon(answer);
    drawChart(
      answer,
      LABELS[state.metric] + ' per ' + answer.aggregate,
      [
        { label: LABELS[state.metric], stroke: '#2f6fde', width: 2, points: { show: true } },
        {
          label: 'partial bucket (the range cuts it)',
          stroke: '#2f6fde',
          width: 2,
          dash: [6, 6],
          points: { show: true, fill: '#ffffff' },
        },
      ],
      [whole, cut]
    );
  }

  /** The API query of the controls' state: retention's cohorts, or counts (broken down when `by` is set). */
  function queryOf(state, retention) {
    var query = new URLSearchParams({ tz: state.tz, start: state.start, end: state.end });
    if (retention) {
      query.set('cohort', COHORT[state.aggregate] || 'week');
    } else {
      query.set('metric', state.metric);
      query.set('aggregate', state.aggregate);
      if (state.by) {
        query.set('breakdown', state.by);
        query.set('limit', String(SERIES));
      }
    }
    if (state.source) query.set('source', state.source);
    return query;
  }

  function load() {
    var state = {};
    fields.forEach(function (name) {
      state[name] = document.getElementById(name).value;
    });
    window.history.replaceState(null, '', '?' + new URLSearchParams(state).toString());
    var retention = state.metric === 'retention';
    var query = queryOf(state, retention);
    document.body.dataset.state = 'loading';
    var headers = token ? { Authorization: 'Bearer ' + token } : {};
    return fetch((retention ? 'api/v1/retention?' : 'api/v1/logins?') + query.toString(), {
      headers: headers,
    })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          document.getElementById('token-label').hidden = false;
          throw new Error('this API needs a token: enter it above');
        }
        if (response.status === 503 && response.headers.get('retry-after')) {
          // The daemon is loading its index (or rewriting these days): ask again when it says.
          window.setTimeout(load, Number(response.headers.get('retry-after')) * 1000);
        }
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.message || 'HTTP ' + response.status);
          return body;
        });
      })
      .then(function (answer) {
        showError('');
        if (retention) renderRetention(answer);
        else render(state, answer);
      })
      .catch(function (error) {
        showError(error.message);
        document.body.dataset.state = 'error';
      });
  }

  /**
   * The daemon's sources (USAGE_SOURCE): with more than one, a choice of which lines count (the first is the
   * default, sent as no source at all). Without access (a token is needed) the choice stays hidden.
   */
  function loadSources() {
    var headers = token ? { Authorization: 'Bearer ' + token } : {};
    return fetch('api/v1/sources', { headers: headers })
      .then(function (response) {
        return response.ok ? response.json() : { sources: [] };
      })
      .then(function (body) {
        var select = document.getElementById('source');
        select.innerHTML = '';
        body.sources.forEach(function (s, i) {
          var option = document.createElement('option');
          option.value = i === 0 ? '' : s.name;
          option.textContent = s.name + (i === 0 ? ' (default)' : '');
          select.appendChild(option);
        });
        document.getElementById('source-label').hidden = body.sources.length < 2;
      })
      .catch(function () {
        return undefined;
      });
  }

  var initial = readState();
  form.addEventListener('change', function (event) {
    if (event.target.id === 'token') {
      // With access, the sources can be listed too.
      token = event.target.value;
      loadSources().then(load);
      return;
    }
    load();
  });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    load();
  });
  loadSources().then(function () {
    fields.forEach(function (name) {
      document.getElementById(name).value = initial[name];
    });
    load();
  });
})();
