/* global localStorage */
/* cxpulse dashboards: one script for every page. Filters live in the URL, data comes from /api,
   charts are Vega-Lite specs built on the server and drawn here with vega-embed (served locally). */
(function () {
  'use strict';
  var PAGE = document.body.getAttribute('data-page');
  var FILTERS = ['from', 'to', 'channel', 'country', 'segment'];
  var PAGES = [['overview', 'Overview'], ['satisfaction', 'Satisfaction'], ['service', 'Service'], ['rfm', 'RFM & value'], ['churn', 'Churn'], ['customer', 'Customer']];
  var KEY_STORE = 'cxpulse-api-key';
  var views = [];
  var seq = 0;

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'class') e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }

  function params() { return new URLSearchParams(location.search); }

  function filterQuery() {
    var p = params(), q = new URLSearchParams();
    FILTERS.forEach(function (f) { if (p.get(f)) q.set(f, p.get(f)); });
    return q;
  }

  function headers() {
    var k = localStorage.getItem(KEY_STORE);
    return k ? { Authorization: 'Bearer ' + k } : {};
  }

  function api(path) {
    return fetch(path, { headers: headers() }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { var err = new Error((body.error && body.error.message) || r.statusText); err.status = r.status; err.body = body; throw err; }
        return body;
      });
    });
  }

  function fmt(v, digits) {
    if (v === null || v === undefined) return '–';
    return Number(v).toLocaleString('en', { maximumFractionDigits: digits === undefined ? 1 : digits });
  }

  function banner(status) {
    var b = document.getElementById('banner');
    b.textContent = '';
    if (status.auth && status.auth.mode === 'open') {
      b.appendChild(el('div', { class: 'open', id: 'open-mode-banner', text: '⚠ OPEN DEMO MODE — ' + status.auth.warning + '. Configure server.apiKeys before exposing this server.' }));
    }
    if (status.freshness && status.freshness.status !== 'fresh') {
      var f = status.freshness;
      var sources = (f.stale_sources || []).map(function (x) { return x.source + ' (' + (x.reason || fmt(x.age_hours) + ' h old') + ')'; });
      var text = f.status === 'no_runs' ? 'No successful pipeline run yet: figures may be incomplete.'
        : sources.length ? 'Data is stale: ' + sources.join(', ') + '. Triggers that depend on it are held back.'
        : 'Data is stale: last successful run ' + f.last_success_at + ' (' + fmt(f.age_hours) + ' h ago).';
      b.appendChild(el('div', { class: 'stale', id: 'stale-banner', text: text }));
    }
    document.getElementById('asof').textContent = 'as of ' + (status.as_of || 'n/a') + ' · ' + (status.freshness ? status.freshness.status : '');
  }

  function askForKey(message) {
    var b = document.getElementById('banner');
    var input = el('input', { type: 'password', placeholder: 'API key', id: 'key-input' });
    var form = el('form', { class: 'auth' }, [el('span', { text: message + ' ' }), input, el('button', { class: 'btn', type: 'submit', text: 'Use key' })]);
    form.addEventListener('submit', function (ev) { ev.preventDefault(); localStorage.setItem(KEY_STORE, input.value); location.reload(); });
    b.appendChild(form);
  }

  function nav() {
    var n = document.getElementById('nav'), q = filterQuery().toString();
    PAGES.forEach(function (p) {
      n.appendChild(el('a', { href: '/' + p[0] + (q && p[0] !== 'customer' ? '?' + q : ''), class: p[0] === PAGE ? 'active' : '', text: p[1] }));
    });
  }

  function filterBar(options) {
    var form = document.getElementById('filters'), p = params();
    form.textContent = '';
    function select(name, values) {
      var s = el('select', { name: name, id: 'filter-' + name }, [el('option', { value: '', text: 'all' })]);
      values.forEach(function (v) { var o = el('option', { value: v, text: v }); if (p.get(name) === v) o.selected = true; s.appendChild(o); });
      return el('label', {}, [name, s]);
    }
    function date(name) { var i = el('input', { type: 'date', name: name, id: 'filter-' + name }); if (p.get(name)) i.value = p.get(name); return el('label', {}, [name, i]); }
    form.appendChild(date('from'));
    form.appendChild(date('to'));
    form.appendChild(select('channel', options.channels || []));
    form.appendChild(select('country', options.countries || []));
    form.appendChild(select('segment', options.segments || []));
    form.addEventListener('change', function () {
      var q = params();
      FILTERS.forEach(function (f) { var v = form.elements[f].value; if (v) q.set(f, v); else q.delete(f); });
      history.pushState(null, '', location.pathname + '?' + q.toString());
      document.getElementById('nav').textContent = '';
      nav();
      load();
    });
  }

  function tileEl(t) {
    var cls = 'tile' + (t.is_low_sample && t.value !== null ? ' low' : '');
    var kids = [el('div', { class: 'label', text: t.label }), el('div', { class: 'value', text: fmt(t.value, t.digits !== undefined ? t.digits : t.unit === 'currency' ? 0 : 1) + (t.unit === '%' && t.value !== null ? '%' : '') })];
    if (t.ci_low !== null && t.ci_low !== undefined) kids.push(el('div', { class: 'ci', text: '95% interval ' + fmt(t.ci_low) + ' – ' + fmt(t.ci_high) + ' · n=' + fmt(t.n, 0) }));
    if (t.change && t.change.delta === null && t.change.previous) {
      kids.push(el('div', { class: 'change', text: t.change.previous.n ? 'no responses in this period to compare' : 'no responses in the previous period to compare with' }));
    }
    if (t.change && t.change.delta !== null) {
      var c = t.change, dir = c.delta > 0 ? 'up' : c.delta < 0 ? 'down' : 'flat';
      var text = dir + ' ' + fmt(Math.abs(c.delta)) + ' vs previous period (' + fmt(c.previous.value) + '), ' + (c.p_value === null ? 'not tested: ' + (c.note || 'small sample') : (c.is_significant ? 'significant' : 'not significant') + ' (' + (c.p_value < 0.001 ? 'p<0.001' : 'p=' + fmt(c.p_value, 3)) + ')');
      kids.push(el('div', { class: 'change' + (c.is_significant ? ' sig-' + dir : ''), text: text }));
    }
    if (t.note) kids.push(el('div', { class: 'note', text: t.note }));
    return el('div', { class: cls, id: 'tile-' + t.id }, kids);
  }

  function clearViews() { views.forEach(function (v) { try { v.finalize(); } catch { /* already gone */ } }); views = []; }

  function renderCharts(container, charts) {
    var grid = el('div', { class: 'charts' });
    container.appendChild(grid);
    return Promise.all(charts.map(function (c) {
      var box = el('div', { class: 'chart', id: 'chart-' + c.id, 'data-chart': c.id }, [el('h3', { text: c.title })]);
      grid.appendChild(box);
      if (!c.spec) { box.appendChild(el('div', { class: 'empty', text: c.empty || 'no data yet' })); box.setAttribute('data-state', 'empty'); return null; }
      var vis = el('div', { class: 'vis' });
      box.appendChild(vis);
      return vegaEmbed(vis, c.spec, { actions: false, renderer: 'svg' }).then(function (res) { views.push(res.view); box.setAttribute('data-state', 'drawn'); });
    }));
  }

  function dashboard(main, my) {
    return api('/api/dashboards/' + PAGE + '?' + filterQuery().toString()).then(function (d) {
      if (my !== seq) return;
      main.textContent = '';
      main.setAttribute('data-as-of', d.as_of || '');
      if (!d.available && (!d.tiles || d.tiles.length === 0)) {
        main.appendChild(el('div', { class: 'nodata', id: 'no-data', text: d.empty_reason || 'No data yet.' }));
        return;
      }
      if (d.filters_ignored && d.filters_ignored.length) main.appendChild(el('p', { class: 'note', text: 'Not applicable here (a snapshot as of ' + d.as_of + '): ' + d.filters_ignored.join(', ') }));
      if (d.tiles && d.tiles.length) main.appendChild(el('div', { class: 'tiles' }, d.tiles.map(tileEl)));
      return renderCharts(main, d.charts || []).then(function () {
        if (PAGE === 'churn') return atRiskTable(main);
      });
    });
  }

  // The at-risk list: value at stake first, the lost apart, sortable, paged on the page (50 a page).
  var AT_RISK_SORTS = [['stake_desc', 'Value at stake'], ['risk_desc', 'Churn risk'], ['clv_desc', 'CLV'], ['recency_desc', 'Days since last purchase']];
  function atRiskTable(main) {
    var q = filterQuery(), base = new URLSearchParams();
    ['country', 'segment'].forEach(function (f) { if (q.get(f)) base.set(f, q.get(f)); });
    var state = { population: 'at_risk', sort: 'stake_desc', offset: 0 };
    var block = el('section', { class: 'block', id: 'at-risk' }, [el('h2', { text: 'Customers at risk' })]);
    var controls = el('div', { class: 'controls' });
    var popSel = el('select', { id: 'at-risk-population', 'aria-label': 'Population' }, [['at_risk', 'Still worth saving'], ['lost', 'Already lost']].map(function (o) { return el('option', { value: o[0], text: o[1] }); }));
    var sortSel = el('select', { id: 'at-risk-sort', 'aria-label': 'Sort by' }, AT_RISK_SORTS.map(function (o) { return el('option', { value: o[0], text: 'Sort: ' + o[1] }); }));
    var link = el('a', { class: 'btn', id: 'at-risk-csv', download: 'at-risk.csv', text: 'Download CSV' });
    link.addEventListener('click', function (ev) {
      if (!localStorage.getItem(KEY_STORE)) return; // open mode: the plain link works
      ev.preventDefault();
      fetch(link.href, { headers: headers() }).then(function (r) { return r.blob(); }).then(function (b) {
        var a = el('a', { href: URL.createObjectURL(b), download: 'at-risk.csv' }); document.body.appendChild(a); a.click(); a.remove();
      });
    });
    [popSel, sortSel, link].forEach(function (c) { controls.appendChild(c); });
    var out = el('div', { id: 'at-risk-page' });
    block.appendChild(controls);
    block.appendChild(out);
    main.appendChild(block);
    popSel.addEventListener('change', function () { state.population = popSel.value; state.offset = 0; load(); });
    sortSel.addEventListener('change', function () { state.sort = sortSel.value; state.offset = 0; load(); });
    function query(extra) {
      var p = new URLSearchParams(base);
      p.set('population', state.population); p.set('sort', state.sort);
      Object.keys(extra).forEach(function (k) { p.set(k, extra[k]); });
      return p;
    }
    function load() {
      link.href = '/api/customers/at-risk?' + query({ format: 'csv' }).toString();
      return api('/api/customers/at-risk?' + query({ limit: '50', offset: String(state.offset) }).toString()).then(function (d) {
        out.textContent = '';
        // One population, said once: the header counts are the API's counts for the same filters.
        out.appendChild(el('p', { class: 'note', id: 'at-risk-count', text: fmt(d.total, 0) + ' ' + (d.population || 'customers') + (d.counts ? ' · ' + fmt(d.counts.lost, 0) + ' already lost, listed apart' : '') }));
        if (!d.rows.length) { out.appendChild(el('p', { class: 'empty', text: d.empty_reason || 'No customers match.' })); return; }
        var cols = ['customer_id', 'value_at_stake', 'churn_risk', 'clv', 'recency_days', 'top_reason', 'rfm_segment', 'country'];
        var table = el('table', {}, [el('thead', {}, [el('tr', {}, cols.map(function (c) { return el('th', { text: c }); }))])]);
        var body = el('tbody');
        d.rows.forEach(function (r) {
          body.appendChild(el('tr', {}, cols.map(function (c) {
            if (c === 'customer_id') return el('td', {}, [el('a', { href: '/customer?id=' + encodeURIComponent(r.customer_id), text: r.customer_id })]);
            return el('td', { text: c === 'churn_risk' ? fmt(r[c] * 100, 0) + '%' : typeof r[c] === 'number' ? fmt(r[c]) : (r[c] === null ? '' : String(r[c])) });
          })));
        });
        table.appendChild(body);
        out.appendChild(table);
        var nav = el('div', { class: 'pager' });
        var prev = el('button', { type: 'button', id: 'at-risk-prev', text: 'Previous' });
        var next = el('button', { type: 'button', id: 'at-risk-next', text: 'Next' });
        prev.disabled = state.offset === 0;
        next.disabled = d.next_offset === null;
        prev.addEventListener('click', function () { state.offset = Math.max(0, state.offset - 50); load(); });
        next.addEventListener('click', function () { state.offset = d.next_offset; load(); });
        nav.appendChild(prev);
        nav.appendChild(el('span', { text: ' ' + (state.offset + 1) + '–' + (state.offset + d.rows.length) + ' of ' + fmt(d.total, 0) + ' ' }));
        nav.appendChild(next);
        out.appendChild(nav);
      }, function (err) {
        out.textContent = '';
        out.appendChild(el('p', { class: 'error', text: err.status === 403 ? 'The at-risk list needs a marketing key.' : err.message }));
      });
    }
    return load();
  }

  // Profile values for people: ISO timestamps shortened (midnight = a date), long fractions rounded.
  var ISO_TS = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(\.\d+)?)?Z$/;
  function display(v) {
    if (v === null || v === undefined) return '–';
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toLocaleString('en', { maximumFractionDigits: Math.abs(v) < 1 ? 3 : 2 });
    if (typeof v === 'string') {
      var m = ISO_TS.exec(v);
      if (m) return m[2] === '00:00' && (!m[3] || /^:00(\.0+)?$/.test(m[3])) ? m[1] : m[1] + ' ' + m[2];
      return v;
    }
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }

  function kv(obj) {
    var dl = el('dl', { class: 'kv' });
    Object.keys(obj || {}).forEach(function (k) {
      var v = obj[k];
      dl.appendChild(el('dt', { text: k }));
      dl.appendChild(el('dd', { text: display(v) }));
    });
    return dl;
  }

  function rows(list, cols) {
    if (!list || !list.length) return el('p', { class: 'empty', text: 'none' });
    return el('table', {}, [el('thead', {}, [el('tr', {}, cols.map(function (c) { return el('th', { text: c }); }))]), el('tbody', {}, list.map(function (r) {
      return el('tr', {}, cols.map(function (c) { var v = r[c]; return el('td', { text: v === null || v === undefined ? '' : display(v) }); }));
    }))]);
  }

  function customerPage(main, my) {
    var id = params().get('id');
    var form = el('form', { id: 'customer-lookup' }, [el('input', { name: 'id', placeholder: 'customer id', value: id || '' }), el('button', { class: 'btn', type: 'submit', text: 'Show' })]);
    main.textContent = '';
    main.appendChild(form);
    if (!id) { main.appendChild(el('p', { class: 'nodata', text: 'Enter a customer id, or open one from the churn page.' })); return Promise.resolve(); }
    return api('/api/customers/' + encodeURIComponent(id)).then(function (d) {
      if (my !== seq) return;
      var p = d.profile;
      main.setAttribute('data-as-of', d.as_of || '');
      main.appendChild(el('h2', { text: 'Customer ' + p.customer.customer_id }));
      var attrs = p.customer.attributes;
      var head = {};
      Object.keys(p.customer).forEach(function (k) { if (k !== 'attributes') head[k] = p.customer[k]; });
      main.appendChild(kv(head));
      var blocks = [
        ['Attributes', attrs ? kv(attrs) : el('p', { class: 'empty', text: 'none declared (sources.customers.attributes)' })],
        ['Purchases', kv({ orders: p.purchases.orders, revenue: p.purchases.revenue, refunds: p.purchases.refunds, first_order_at: p.purchases.first_order_at, last_order_at: p.purchases.last_order_at })],
        ['RFM and value', p.value ? kv(p.value) : el('p', { class: 'empty', text: 'no data yet' })],
        ['Churn risk', p.risk ? el('div', {}, [kv({ churn_risk: p.risk.churn_risk, churn_band: p.risk.churn_band, scored_at: p.risk.scored_at }), rows(Array.isArray(p.risk.churn_reasons) ? p.risk.churn_reasons : [], ['text', 'feature', 'contribution'])]) : el('p', { class: 'empty', text: 'no data yet' })],
        ['Satisfaction', p.satisfaction.summary ? kv(p.satisfaction.summary) : el('p', { class: 'empty', text: 'no summary yet' })],
        ['Survey responses', rows(p.satisfaction.surveys, ['submitted_at', 'survey_type', 'score', 'comment'])],
        ['Interactions', rows(p.interactions, ['opened_at', 'channel', 'kind', 'category', 'first_response_at', 'resolved_at'])],
        ['Retention actions', p.actions ? rows(p.actions, ['fired_at', 'rule', 'status', 'is_holdout']) : el('p', { class: 'empty', text: 'no data yet' })],
      ];
      blocks.forEach(function (b) { main.appendChild(el('section', { class: 'block' }, [el('h2', { text: b[0] }), b[1]])); });
      var monthly = p.purchases.monthly || [];
      if (monthly.length) {
        var spec = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 'container', height: 160, data: { values: monthly }, mark: 'bar',
          encoding: { x: { field: 'period', type: 'temporal', timeUnit: 'utcyearmonth', title: null }, y: { field: 'revenue', type: 'quantitative', title: 'revenue' }, tooltip: [{ field: 'period', type: 'temporal', timeUnit: 'utcyearmonth' }, { field: 'revenue', type: 'quantitative' }, { field: 'orders', type: 'quantitative' }] } };
        var holder = el('div');
        main.insertBefore(el('section', { class: 'block' }, [el('h2', { text: 'Revenue by month' }), holder]), main.children[3] || null);
        return renderCharts(holder, [{ id: 'customer-revenue', title: 'Completed orders', spec: spec }]);
      }
    });
  }

  function load() {
    var my = ++seq, main = document.getElementById('main');
    clearViews();
    main.setAttribute('data-loaded', 'false');
    var work = PAGE === 'customer' ? customerPage(main, my) : dashboard(main, my);
    return work.then(function () {
      if (my === seq) main.setAttribute('data-loaded', 'true');
    }, function (err) {
      if (my !== seq) return;
      main.textContent = '';
      main.appendChild(el('p', { class: 'error', id: 'load-error', text: err.message }));
      if (err.status === 401 || err.status === 403) askForKey(err.status === 401 ? 'This server needs an API key.' : 'Your key cannot see this page.');
      main.setAttribute('data-loaded', 'error');
    });
  }

  window.addEventListener('popstate', function () { filterBarFromStatus(); load(); });
  var lastOptions = {};
  function filterBarFromStatus() { if (PAGE !== 'customer') filterBar(lastOptions); }

  api('/api/status').then(function (s) {
    banner(s);
    nav();
    return api('/api/filters').then(function (o) { lastOptions = o; }, function () { lastOptions = {}; });
  }).then(function () { filterBarFromStatus(); return load(); }).catch(function (err) {
    document.getElementById('main').textContent = err.message;
  });
})();
