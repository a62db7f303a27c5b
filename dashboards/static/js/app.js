/* global localStorage */
/* cxpulse dashboards: one script for every page. Filters and the language live in the URL, data comes
   from /api in the page's language (labels, units and periods are formatted on the server from the
   glossary), charts are Vega-Lite specs drawn here with vega-embed (served locally). */
(function () {
  'use strict';
  var PAGE = document.body.getAttribute('data-page');
  var I18N = JSON.parse(document.getElementById('cxp-i18n').textContent);
  var LANG = I18N.lang;
  var G = I18N.glossary;
  var CURRENCY = I18N.currency || 'EUR';
  var FILTERS = ['from', 'to', 'channel', 'country', 'segment'];
  // Drill-down filters a list page understands, besides the common ones.
  var LIST_FILTERS = ['segment', 'band', 'country', 'lifecycle_stage', 'channel', 'category', 'month', 'kind', 'from', 'to', 'flow_from', 'flow_to', 'stage_from', 'stage_to'];
  var KEY_STORE = 'cxpulse-api-key';
  var views = [];
  var seq = 0;
  var options = {};

  function T(key, vars) {
    var s = Object.prototype.hasOwnProperty.call(G, key) ? G[key] : key;
    return vars ? s.replace(/\{(\w+)\}/g, function (m, k) { return k in vars ? String(vars[k]) : m; }) : s;
  }
  function label(kind, value) {
    if (value === null || value === undefined || value === '') return '–';
    var k = kind + '.' + value;
    return Object.prototype.hasOwnProperty.call(G, k) ? G[k] : String(value);
  }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] === undefined || attrs[k] === null || attrs[k] === false) return;
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'class') e.className = attrs[k];
      else e.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }

  function params() { return new URLSearchParams(location.search); }
  function pick(names) {
    var p = params(), q = new URLSearchParams();
    names.forEach(function (f) { if (p.get(f)) q.set(f, p.get(f)); });
    return q;
  }
  function filterQuery() { return pick(FILTERS); }
  /** An internal link that keeps the language. */
  function href(path, q) {
    var u = new URLSearchParams(q || '');
    u.set('lang', LANG);
    return path + '?' + u.toString();
  }

  // The language chosen (by ?lang= or the browser) is written into the URL, so a shared link keeps it.
  if (params().get('lang') !== LANG) {
    var p0 = params(); p0.set('lang', LANG);
    history.replaceState(null, '', location.pathname + '?' + p0.toString());
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
  function withLang(q) { var u = new URLSearchParams(q || ''); u.set('lang', LANG); return u.toString(); }

  // Number and date formats of the page's language (the server formats the figures; these are for lists).
  var NF = {};
  function fmtNum(v, digits) {
    if (v === null || v === undefined || v === '' || isNaN(Number(v))) return '–';
    var d = digits === undefined ? 1 : digits;
    NF[d] = NF[d] || new Intl.NumberFormat(LANG, { maximumFractionDigits: d });
    return NF[d].format(Number(v));
  }
  function fmtDate(v) {
    if (!v) return '–';
    var d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? v + 'T00:00:00Z' : v);
    return isNaN(d.getTime()) ? String(v) : new Intl.DateTimeFormat(LANG, { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
  }
  function fmtMoney(v, currency) {
    if (v === null || v === undefined || isNaN(Number(v))) return '–';
    return new Intl.NumberFormat(LANG, { style: 'currency', currency: currency || CURRENCY, maximumFractionDigits: 0 }).format(Number(v));
  }
  function fmtCell(v, format, currency) {
    if (format === 'money') return fmtMoney(v, currency);
    if (format === 'pct') return v === null || v === undefined ? '–' : T('unit.pct', { n: fmtNum(Number(v) * 100, 0) });
    if (format === 'date') return fmtDate(v);
    if (format === 'int') return fmtNum(v, 0);
    if (format === 'num') return fmtNum(v, 1);
    if (format && format.indexOf('label:') === 0) return label(format.slice(6), v);
    if (format === 'yesno') return v === null || v === undefined ? '–' : T(v ? 'yes' : 'no');
    return v === null || v === undefined ? '–' : String(v);
  }

  function banner(s) {
    var b = document.getElementById('banner');
    b.textContent = '';
    if (s.auth && s.auth.mode === 'open') b.appendChild(el('div', { class: 'open', id: 'open-mode-banner', text: '⚠ ' + T('banner.open') }));
    if (s.freshness && s.freshness.status !== 'fresh') {
      var f = s.freshness;
      var sources = (f.stale_sources || []).map(function (x) { return x.source + ' (' + (x.reason || T('unit.h', { n: fmtNum(x.age_hours) })) + ')'; });
      var text = f.status === 'no_runs' ? T('banner.no_runs')
        : sources.length ? T('banner.stale_sources', { sources: sources.join(', ') })
        : T('banner.stale', { when: fmtDate(f.last_success_at), hours: fmtNum(f.age_hours) });
      b.appendChild(el('div', { class: 'stale', id: 'stale-banner', text: text }));
    }
    var st = s.freshness ? T('status.' + s.freshness.status) : '';
    document.getElementById('asof').textContent = T('status.as_of', { date: s.as_of ? fmtDate(s.as_of) : '–' }) + (st ? ' · ' + st : '');
  }

  function askForKey(message) {
    var b = document.getElementById('banner');
    var input = el('input', { type: 'password', id: 'key-input', 'aria-label': T('auth.key'), placeholder: T('auth.key') });
    var form = el('form', { class: 'auth' }, [el('span', { text: message }), input, el('button', { class: 'btn', type: 'submit', text: T('auth.use') })]);
    form.addEventListener('submit', function (ev) { ev.preventDefault(); localStorage.setItem(KEY_STORE, input.value); location.reload(); });
    b.appendChild(form);
  }

  /** Menu and language links carry the current filters (menu) or the whole query (language switch). */
  function updateLinks() {
    var q = filterQuery();
    Array.prototype.forEach.call(document.querySelectorAll('#nav a'), function (a) {
      var pg = a.getAttribute('data-page');
      a.setAttribute('href', href('/' + pg, pg === 'customers' ? '' : q));
    });
    Array.prototype.forEach.call(document.querySelectorAll('#langs a'), function (a) {
      var u = params(); u.set('lang', a.getAttribute('data-lang'));
      a.setAttribute('href', location.pathname + '?' + u.toString());
    });
    document.querySelector('header a.brand').setAttribute('href', href('/overview', q));
  }

  function crumbs(items) {
    var nav = document.getElementById('crumbs');
    nav.textContent = '';
    if (!items.length) { nav.hidden = true; return; }
    var ol = el('ol');
    items.forEach(function (it, i) {
      var last = i === items.length - 1;
      ol.appendChild(el('li', {}, [last ? el('span', { 'aria-current': 'page', text: it[0] }) : el('a', { href: it[1], text: it[0] })]));
    });
    nav.appendChild(ol);
    nav.hidden = false;
  }

  // ---- filter bar with the period picker -------------------------------------------------------------
  function go(q) {
    q.set('lang', LANG);
    history.pushState(null, '', location.pathname + '?' + q.toString());
    updateLinks();
    load();
  }

  function filterBar() {
    var form = document.getElementById('filters'), p = params();
    form.textContent = '';
    form.hidden = false;
    function select(name, values, kind) {
      var s = el('select', { name: name, id: 'filter-' + name }, [el('option', { value: '', text: T('filter.all') })]);
      values.forEach(function (v) { var o = el('option', { value: v, text: kind ? label(kind, v) : v }); if (p.get(name) === v) o.selected = true; s.appendChild(o); });
      return el('label', { for: 'filter-' + name }, [T('filter.' + name), s]);
    }
    function date(name) {
      var i = el('input', { type: 'date', name: name, id: 'filter-' + name, lang: LANG });
      if (p.get(name)) i.value = p.get(name);
      return el('label', { for: 'filter-' + name }, [T('filter.' + name), i]);
    }
    var periods = options.periods || {};
    var kind = el('select', { id: 'filter-period-kind', name: 'period' }, ['custom', 'week', 'month', 'quarter'].map(function (k) {
      return el('option', { value: k, text: T('filter.period.' + k) });
    }));
    var which = el('select', { id: 'filter-period' });
    function fillWhich() {
      which.textContent = '';
      var list = periods[kind.value] || [];
      which.disabled = kind.value === 'custom';
      list.forEach(function (x) {
        var o = el('option', { value: x.from + '/' + x.to, text: x.label });
        if (p.get('from') === x.from && p.get('to') === x.to) o.selected = true;
        which.appendChild(o);
      });
    }
    kind.value = p.get('period') || 'custom';
    fillWhich();
    form.appendChild(el('label', { for: 'filter-period-kind' }, [T('filter.period'), kind]));
    // The period list only when a kind of period is chosen; a custom range is set with the dates.
    if (kind.value !== 'custom') form.appendChild(el('label', { class: 'which', for: 'filter-period' }, [T('filter.period.' + kind.value), which]));
    form.appendChild(date('from'));
    form.appendChild(date('to'));
    form.appendChild(select('channel', options.channels || [], 'channel'));
    form.appendChild(select('country', options.countries || []));
    form.appendChild(select('segment', options.segments || [], 'segment'));
    form.appendChild(el('p', { class: 'applied', id: 'applied', 'aria-live': 'polite' }));
    kind.addEventListener('change', function (ev) {
      ev.stopPropagation();
      fillWhich();
      var q = params();
      if (kind.value === 'custom') { q.delete('period'); go(q); return; }
      var first = (periods[kind.value] || [])[0];
      q.set('period', kind.value);
      if (first) { q.set('from', first.from); q.set('to', first.to); }
      go(q);
    });
    which.addEventListener('change', function (ev) {
      ev.stopPropagation();
      var parts = which.value.split('/'), q = params();
      q.set('from', parts[0]); q.set('to', parts[1]); q.set('period', kind.value);
      go(q);
    });
    form.addEventListener('change', function () {
      var q = params();
      FILTERS.forEach(function (f) { var v = form.elements[f] && form.elements[f].value; if (v) q.set(f, v); else q.delete(f); });
      q.delete('period');
      go(q);
    });
    form.addEventListener('submit', function (ev) { ev.preventDefault(); });
  }

  /** After a load: the date inputs show the range the server applied, and the comparison names its periods. */
  function showApplied(d) {
    var f = d.filters || {};
    ['from', 'to'].forEach(function (k) { var i = document.getElementById('filter-' + k); if (i && f[k]) i.value = f[k]; });
    var a = document.getElementById('applied');
    if (!a) return;
    a.textContent = '';
    if (d.period && d.period.current) {
      a.appendChild(document.createTextNode(T('filter.applied', { period: '' })));
      a.appendChild(el('strong', { text: d.period.previous ? d.period.vs : d.period.current }));
    }
  }

  // ---- tiles and charts -------------------------------------------------------------------------------
  function sparkline(values) {
    var pts = values.filter(function (v) { return v !== null && v !== undefined; });
    if (pts.length < 2) return null;
    var min = Math.min.apply(null, pts), max = Math.max.apply(null, pts), w = 120, h = 28, n = values.length;
    var d = '';
    values.forEach(function (v, i) {
      if (v === null || v === undefined) return;
      var x = n === 1 ? 0 : (i / (n - 1)) * w, y = max === min ? h / 2 : h - 2 - ((v - min) / (max - min)) * (h - 4);
      d += (d ? 'L' : 'M') + x.toFixed(1) + ' ' + y.toFixed(1);
    });
    var ns = 'http://www.w3.org/2000/svg', svg = document.createElementNS(ns, 'svg'), path = document.createElementNS(ns, 'path');
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h); svg.setAttribute('preserveAspectRatio', 'none'); svg.setAttribute('class', 'spark');
    svg.setAttribute('aria-hidden', 'true'); svg.setAttribute('focusable', 'false');
    path.setAttribute('d', d); path.setAttribute('fill', 'none'); path.setAttribute('stroke', '#0b57a4'); path.setAttribute('stroke-width', '2'); path.setAttribute('vector-effect', 'non-scaling-stroke');
    svg.appendChild(path);
    return svg;
  }

  function tileEl(t) {
    var value = el('div', { class: 'value', text: t.display !== undefined ? t.display : fmtNum(t.value) });
    if (t.is_low_sample && t.value !== null) value.appendChild(el('span', { class: 'low', text: T('tile.low_sample') }));
    var kids = [el('h2', { text: t.label }), value];
    if (t.interval_text) kids.push(el('div', { class: 'ci', text: t.interval_text }));
    if (t.change_text) kids.push(el('div', { class: 'change' + (t.change && t.change.is_significant ? ' sig' : ''), text: t.change_text }));
    if (t.sparkline && t.sparkline.values) {
      var sp = sparkline(t.sparkline.values);
      if (sp) { kids.push(sp); if (t.sparkline.text) kids.push(el('div', { class: 'note', text: t.sparkline.text })); }
    }
    if (t.note) kids.push(el('div', { class: 'note', text: t.note }));
    if (t.link) kids.push(el('a', { class: 'more', href: linkHref(t.link), text: t.link.text }));
    return el('div', { class: 'tile', id: 'tile-' + t.id }, kids);
  }

  /** A table that may scroll sideways inside its card; keyboard users can focus and scroll it. */
  function tableWrap(table, name) {
    return el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': name }, [table]);
  }

  function clearViews() { views.forEach(function (v) { try { v.finalize(); } catch { /* already gone */ } }); views = []; }

  /** The list behind a clicked mark: the page's filters, the drill's fixed ones, the clicked value(s). */
  function drillHref(drill, value, also) {
    var q = drill.keep === false ? new URLSearchParams() : filterQuery();
    Object.keys(drill.query || {}).forEach(function (k) { q.set(k, drill.query[k]); });
    q.set(drill.param, value);
    Object.keys(also || {}).forEach(function (k) { q.set(k, also[k]); });
    q.set('back', PAGE);
    return href('/' + drill.page, q);
  }

  /** The chart's data as a table, for screen readers and for anyone who wants the numbers. */
  function dataTable(c) {
    var t = c.table;
    if (!t || !t.rows || !t.rows.length) return null;
    var head = el('tr', {}, t.columns.map(function (col) { return el('th', { scope: 'col', class: col.num ? 'num' : '', text: col.label }); }));
    var body = t.rows.map(function (r, i) {
      return el('tr', {}, r.map(function (cell, j) {
        var drillValue = c.drill && t.drill_values ? t.drill_values[i] : null;
        if (j === 0 && drillValue !== null && drillValue !== undefined) return el('td', {}, [el('a', { href: drillHref(c.drill, drillValue, t.drill_also ? t.drill_also[i] : null), text: cell })]);
        return el('td', { class: t.columns[j].num ? 'num' : '', text: cell });
      }));
    });
    var table = el('table', {}, [el('caption', { text: c.title }), el('thead', {}, [head]), el('tbody', {}, body)]);
    return el('details', { class: 'data-table' }, [el('summary', { text: T('chart.data_table') }), tableWrap(table, c.title)]);
  }

  /** A link to another view of a chart: this page's URL with one parameter changed (kept in the URL). */
  function toggleLink(tg) {
    var q = params(); q.set(tg.param, tg.value);
    var a = el('a', { class: 'more', href: location.pathname + '?' + q.toString(), 'data-toggle': tg.param, text: tg.text });
    a.addEventListener('click', function (ev) { ev.preventDefault(); go(q); });
    return el('p', {}, [a]);
  }

  function renderCharts(container, charts) {
    var grid = el('div', { class: 'charts' });
    container.appendChild(grid);
    return Promise.all(charts.map(function (c) {
      var headingId = 'chart-title-' + c.id;
      var box = el('section', { class: 'chart', id: 'chart-' + c.id, 'data-chart': c.id, 'aria-labelledby': headingId, 'data-drill': c.drill ? c.drill.param : null }, [el('h2', { id: headingId, text: c.title })]);
      grid.appendChild(box);
      if (!c.spec) { box.appendChild(el('div', { class: 'empty', text: c.empty || T('empty.chart') })); if (c.toggle) box.appendChild(toggleLink(c.toggle)); box.setAttribute('data-state', 'empty'); return null; }
      var vis = el('div', { class: 'vis' });
      box.appendChild(vis);
      if (c.drill) box.appendChild(el('p', { class: 'hint', text: T(c.drill.hint === 'cells' ? 'chart.drill_hint_cells' : c.drill.hint === 'months' ? 'chart.drill_hint_months' : c.drill.page === 'interactions' ? 'chart.drill_hint_contacts' : 'chart.drill_hint') }));
      if (c.note) box.appendChild(el('p', { class: 'note', text: c.note }));
      if (c.toggle) box.appendChild(toggleLink(c.toggle));
      var table = dataTable(c);
      if (table) box.appendChild(table);
      return vegaEmbed(vis, c.spec, { actions: false, renderer: 'svg' }).then(function (res) {
        views.push(res.view);
        var svg = vis.querySelector('svg');
        // The chart's accessible name is its title (the spec's description says the same in the SVG).
        if (svg) svg.setAttribute('aria-label', c.title);
        if (c.drill) {
          res.view.addEventListener('click', function (_ev, item) {
            var datum = item && item.datum ? item.datum : null;
            var v = datum ? datum[c.drill.field] : undefined;
            if (v === undefined || v === null) return;
            var also = {};
            Object.keys(c.drill.also || {}).forEach(function (k) { also[k] = datum[c.drill.also[k]]; });
            location.href = drillHref(c.drill, v, also);
          });
        }
        box.setAttribute('data-state', 'drawn');
      });
    }));
  }

  function dashboard(main, my) {
    var q = filterQuery();
    var p = params();
    ['migration_from', 'migration_to', 'flow_from', 'flow_to', 'cohort_basis'].forEach(function (k) { if (p.get(k)) q.set(k, p.get(k)); });
    return api('/api/dashboards/' + PAGE + '?' + withLang(q)).then(function (d) {
      if (my !== seq) return;
      clearMain(main);
      main.setAttribute('data-as-of', d.as_of || '');
      showApplied(d);
      if (!d.available && (!d.tiles || d.tiles.length === 0)) {
        main.appendChild(el('div', { class: 'nodata', id: 'no-data', text: d.empty_reason || T('empty.no_data') }));
        return;
      }
      if (d.filters_ignored && d.filters_ignored.length) main.appendChild(el('p', { class: 'note', text: T('note.snapshot', { date: fmtDate(d.as_of) }) }));
      if (PAGE === 'overview' || (d.highlights && d.highlights.length)) main.appendChild(highlights(d));
      if (d.tiles && d.tiles.length) main.appendChild(el('div', { class: 'tiles' }, d.tiles.map(tileEl)));
      return renderCharts(main, d.charts || []).then(function () {
        if (PAGE === 'churn') return atRiskTable(main);
      });
    });
  }

  /** A tile's or highlight's link: the page that explains it, with the current filters and its own. */
  function linkHref(link) {
    var q = filterQuery();
    Object.keys(link.query || {}).forEach(function (k) { q.set(k, link.query[k]); });
    return href(link.path, q);
  }

  /** What changed significantly this period, each line linking to the page that explains it. */
  function highlights(d) {
    var list = d.highlights || [];
    var box = el('section', { class: 'block highlights', id: 'highlights', 'aria-labelledby': 'highlights-title' }, [el('h2', { id: 'highlights-title', text: T('overview.changes') })]);
    if (!list.length) { box.appendChild(el('p', { class: 'note', text: T('overview.no_changes', { vs: d.period ? d.period.vs : '' }) })); return box; }
    box.appendChild(el('ul', {}, list.map(function (h) {
      return el('li', {}, [h.text, h.link ? ' · ' : '', h.link ? el('a', { href: linkHref(h.link), text: h.link.text }) : null]);
    })));
    return box;
  }

  function clearMain(main) {
    main.textContent = '';
    main.appendChild(el('h1', { id: 'page-title', text: T('nav.' + PAGE) }));
  }

  // ---- lists (drill-down targets) -----------------------------------------------------------------------
  function filtersText(applied) {
    return applied.map(function (f) { return f.label + ': ' + f.value_label; }).join(' · ');
  }

  /** A list of customers from /api/customers (or the at-risk list); the columns come with the response. */
  function customerTable(main, o) {
    var block = el('section', { class: 'block', id: o.id }, [el('h2', { text: o.title })]);
    main.appendChild(block);
    var q = new URLSearchParams(o.query);
    q.set('limit', '50');
    var path = '/api/customers';
    return api(path + '?' + withLang(q)).then(function (d) {
      if (!d.rows || !d.rows.length) { block.appendChild(el('p', { class: 'empty', text: d.empty_reason || T('empty.no_match') })); return; }
      var cols = d.display_columns;
      var back = new URLSearchParams(o.query); back.set('back', PAGE);
      var table = el('table', {}, [el('thead', {}, [el('tr', {}, cols.map(function (c) { return el('th', { scope: 'col', class: c.num ? 'num' : '', text: c.label }); }))])]);
      var body = el('tbody');
      d.rows.forEach(function (r) {
        body.appendChild(el('tr', {}, cols.map(function (c) {
          if (c.key === 'customer_id') { var cq = new URLSearchParams(back); cq.set('id', r.customer_id); return el('td', {}, [el('a', { href: href('/customer', cq), text: r.customer_id })]); }
          return el('td', { class: c.num ? 'num' : '', text: fmtCell(r[c.key], c.format, d.currency) });
        })));
      });
      table.appendChild(body);
      block.appendChild(el('p', { class: 'note', id: o.id + '-count', text: T('list.count', { total: fmtNum(d.total, 0), shown: fmtNum(d.rows.length, 0) }) }));
      block.appendChild(tableWrap(table, o.title));
    }, function (err) {
      block.appendChild(el('p', { class: 'error', text: err.status === 403 ? T('list.needs_marketing') : err.message }));
    });
  }

  /**
   * The at-risk list (marketing's API): value at stake first, the lost apart, sortable, paged on the page
   * (50 a page). Its columns are labelled and formatted by genericColumns, in the page's language.
   */
  var AT_RISK_SORTS = ['stake_desc', 'risk_desc', 'clv_desc', 'recency_desc'];
  var AT_RISK_COLUMNS = ['customer_id', 'value_at_stake', 'churn_risk', 'clv', 'recency_days', 'top_reason', 'rfm_segment', 'country'];
  function atRiskTable(main) {
    var q = filterQuery(), base = new URLSearchParams();
    ['country', 'segment'].forEach(function (f) { if (q.get(f)) base.set(f, q.get(f)); });
    var state = { population: 'at_risk', sort: 'stake_desc', offset: 0 };
    var block = el('section', { class: 'block', id: 'at-risk' }, [el('h2', { text: T('list.at_risk') })]);
    var controls = el('div', { class: 'controls' });
    var popSel = el('select', { id: 'at-risk-population', 'aria-label': T('atrisk.population') }, ['at_risk', 'lost'].map(function (o) { return el('option', { value: o, text: T('atrisk.population.' + o) }); }));
    var sortSel = el('select', { id: 'at-risk-sort', 'aria-label': T('atrisk.sort') }, AT_RISK_SORTS.map(function (o) { return el('option', { value: o, text: T('atrisk.sort') + ': ' + T('atrisk.sort.' + o) }); }));
    var link = el('a', { class: 'btn', id: 'at-risk-csv', download: 'at-risk.csv', text: T('list.download_csv') });
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
    popSel.addEventListener('change', function (ev) { ev.stopPropagation(); state.population = popSel.value; state.offset = 0; page(); });
    sortSel.addEventListener('change', function (ev) { ev.stopPropagation(); state.sort = sortSel.value; state.offset = 0; page(); });
    function query(extra) {
      var p = new URLSearchParams(base);
      p.set('population', state.population); p.set('sort', state.sort);
      Object.keys(extra).forEach(function (k) { p.set(k, extra[k]); });
      return p;
    }
    function page() {
      // The download is for people: column labels and reasons in the page's language (the API's default
      // CSV keeps the column names, for machines).
      link.href = '/api/customers/at-risk?' + query({ format: 'csv', header: 'labels', lang: LANG }).toString();
      return api('/api/customers/at-risk?' + query({ limit: '50', offset: String(state.offset), lang: LANG }).toString()).then(function (d) {
        out.textContent = '';
        // One population, said once: the counts are the API's for the same filters.
        out.appendChild(el('p', { class: 'note', id: 'at-risk-count', text: T('list.count', { total: fmtNum(d.total, 0), shown: fmtNum(d.rows.length, 0) }) + (d.counts ? ' ' + T('atrisk.lost_apart', { n: fmtNum(d.counts.lost, 0) }) : '') }));
        // Which customers count as already lost, as this run decided it (the API's lost_rule, in the page's language).
        if (d.lost_rule) out.appendChild(el('p', { class: 'note', id: 'at-risk-rule', text: d.lost_rule }));
        if (!d.rows.length) { out.appendChild(el('p', { class: 'empty', text: T('empty.no_match') })); return; }
        var known = AT_RISK_COLUMNS.filter(function (k) { return k in d.rows[0]; });
        var cols = genericColumns(d.rows[0], known.length ? known : undefined, d.column_labels);
        var back = new URLSearchParams(base); back.set('back', 'churn');
        var table = el('table', {}, [el('thead', {}, [el('tr', {}, cols.map(function (c) { return el('th', { scope: 'col', class: c.num ? 'num' : '', text: c.label }); }))])]);
        table.appendChild(el('tbody', {}, d.rows.map(function (r) {
          return el('tr', {}, cols.map(function (c) {
            if (c.key === 'customer_id') { var cq = new URLSearchParams(back); cq.set('id', r.customer_id); return el('td', {}, [el('a', { href: href('/customer', cq), text: r.customer_id })]); }
            return el('td', { class: c.num ? 'num' : '', text: fmtCell(r[c.key], c.format, CURRENCY) });
          }));
        })));
        out.appendChild(tableWrap(table, T('list.at_risk')));
        var nav = el('div', { class: 'pager' });
        var prev = el('button', { type: 'button', class: 'btn', id: 'at-risk-prev', text: T('list.previous') });
        var next = el('button', { type: 'button', class: 'btn', id: 'at-risk-next', text: T('list.next') });
        prev.disabled = state.offset === 0;
        next.disabled = d.next_offset === null;
        prev.addEventListener('click', function () { state.offset = Math.max(0, state.offset - 50); page(); });
        next.addEventListener('click', function () { state.offset = d.next_offset; page(); });
        nav.appendChild(prev);
        nav.appendChild(el('span', { text: ' ' + fmtNum(state.offset + 1, 0) + '–' + fmtNum(state.offset + d.rows.length, 0) + ' / ' + fmtNum(d.total, 0) + ' ' }));
        nav.appendChild(next);
        out.appendChild(nav);
      }, function (err) {
        out.textContent = '';
        out.appendChild(el('p', { class: 'error', text: err.status === 403 ? T('list.needs_marketing') : err.message }));
      });
    }
    return page();
  }

  /**
   * Columns for a list whose response names none (the at-risk API): every key, labelled by the server
   * from the glossary in the page's language (column_labels, the same labels as the CSV download) and
   * formatted by the column vocabulary (*_at/_on dates, risk as %, money). Reasons come in the page's
   * language too (rendered from the model's structured reasons).
   */
  var KEY_FORMATS = { churn_risk: 'pct', clv: 'money', monetary: 'money', value_at_stake: 'money', churn_band: 'label:band', rfm_segment: 'label:segment', lifecycle_stage: 'label:stage', recency_days: 'int', marketing_consent: 'yesno' };
  function genericColumns(row, keys, labels) {
    return (keys || Object.keys(row)).map(function (k) {
      var v = row[k];
      var format = KEY_FORMATS[k] || (/_(at|on)$/.test(k) ? 'date' : typeof v === 'number' ? 'num' : undefined);
      return { key: k, label: labels && labels[k] ? labels[k] : k.replace(/_/g, ' '), num: typeof v === 'number', format: format };
    });
  }

  function backCrumbs(extra) {
    var p = params(), back = p.get('back'), items = [[T('nav.home'), href('/overview', filterQuery())]];
    if (back && back !== 'overview' && back !== 'customers' && G['nav.' + back]) items.push([T('nav.' + back), href('/' + back, filterQuery())]);
    return items.concat(extra);
  }

  function customersPage(main, my) {
    var q = pick(LIST_FILTERS);
    clearMain(main);
    crumbs(backCrumbs([[T('nav.customers'), '']]));
    return api('/api/customers?' + withLang(q) + '&limit=1').then(function (d) {
      if (my !== seq) return;
      if (d.filters_applied && d.filters_applied.length) main.appendChild(el('p', { class: 'note', id: 'list-filters', text: T('list.filtered_by', { filters: filtersText(d.filters_applied) }) }));
    }, function () { /* the table below reports the error */ }).then(function () {
      return customerTable(main, { title: T('list.customers'), id: 'customer-list', query: q });
    });
  }

  function interactionsPage(main, my) {
    var q = pick(LIST_FILTERS);
    q.set('limit', '100');
    clearMain(main);
    crumbs(backCrumbs([[T('nav.interactions'), '']]));
    return api('/api/interactions?' + withLang(q)).then(function (d) {
      if (my !== seq) return;
      if (d.filters_applied && d.filters_applied.length) main.appendChild(el('p', { class: 'note', id: 'list-filters', text: T('list.filtered_by', { filters: filtersText(d.filters_applied) }) }));
      if (!d.rows.length) { main.appendChild(el('p', { class: 'empty', text: T('empty.no_match') })); return; }
      var cols = d.display_columns;
      var back = pick(LIST_FILTERS); back.set('back', 'interactions');
      var table = el('table', {}, [el('thead', {}, [el('tr', {}, cols.map(function (c) { return el('th', { scope: 'col', class: c.num ? 'num' : '', text: c.label }); }))]), el('tbody', {}, d.rows.map(function (r) {
        return el('tr', {}, cols.map(function (c) {
          if (c.key === 'customer_id') { var cq = new URLSearchParams(back); cq.set('id', r.customer_id); return el('td', {}, [el('a', { href: href('/customer', cq), text: r.customer_id })]); }
          return el('td', { class: c.num ? 'num' : '', text: r.display && r.display[c.key] !== undefined ? r.display[c.key] : fmtCell(r[c.key], c.format, d.currency) });
        }));
      }))]);
      main.appendChild(el('p', { class: 'note', id: 'interaction-list-count', text: T('list.count_interactions', { total: fmtNum(d.total, 0), shown: fmtNum(d.rows.length, 0) }) }));
      main.appendChild(tableWrap(table, T('list.interactions')));
    });
  }

  // ---- customer 360 -------------------------------------------------------------------------------------
  function kv(pairs) {
    var dl = el('dl', { class: 'kv' });
    pairs.forEach(function (p) { dl.appendChild(el('dt', { text: p[0] })); dl.appendChild(el('dd', { text: p[1] === null || p[1] === undefined || p[1] === '' ? '–' : String(p[1]) })); });
    return dl;
  }
  function card(title, body) { return el('section', { class: 'card' }, [el('h2', { text: title }), body]); }

  function customerPage(main, my) {
    var id = params().get('id');
    clearMain(main);
    var p = params(), back = p.get('back');
    var listQ = pick(LIST_FILTERS);
    var listPage = back === 'interactions' ? 'interactions' : 'customers';
    crumbs(backCrumbs([[T('nav.' + listPage), href('/' + listPage, listQ)], [id ? T('customer.title', { id: id }) : T('nav.customer'), '']]));
    var input = el('input', { name: 'id', id: 'customer-id', value: id || '' });
    var form = el('form', { class: 'lookup', id: 'customer-lookup', role: 'search' }, [el('label', { for: 'customer-id', text: T('customer.lookup') }), input, el('button', { class: 'btn', type: 'submit', text: T('customer.show') })]);
    form.addEventListener('submit', function (ev) { ev.preventDefault(); var q = params(); q.set('id', input.value); go(q); });
    main.appendChild(form);
    if (!id) { main.appendChild(el('p', { class: 'nodata', text: T('customer.enter') })); return Promise.resolve(); }
    return api('/api/customers/' + encodeURIComponent(id) + '/view?lang=' + LANG).then(function (d) {
      if (my !== seq) return;
      var v = d.view;
      main.setAttribute('data-as-of', d.as_of || '');
      document.getElementById('page-title').textContent = T('customer.title', { id: v.customer_id });
      var cards = el('div', { class: 'cards' });
      v.sections.forEach(function (s) {
        if (s.kind === 'pairs') cards.appendChild(card(s.title, s.pairs.length ? kv(s.pairs) : el('p', { class: 'empty', text: s.empty || T('empty.none') })));
        if (s.kind === 'reasons') cards.appendChild(card(s.title, s.items.length ? el('ul', { class: 'reasons' }, s.items.map(function (r) { return el('li', { text: r }); })) : el('p', { class: 'empty', text: s.empty || T('empty.none') })));
      });
      main.appendChild(cards);
      var tl = el('section', { class: 'block', id: 'timeline' }, [el('h2', { text: T('customer.timeline') })]);
      if (!v.timeline.length) tl.appendChild(el('p', { class: 'empty', text: T('customer.no_events') }));
      else {
        tl.appendChild(el('ol', { class: 'timeline card' }, v.timeline.map(function (e) {
          var badges = (e.badges || []).map(function (b) { return el('span', { class: 'badge ' + (b.tone || ''), text: b.text }); });
          return el('li', { 'data-kind': e.kind }, [el('time', { datetime: e.at, text: e.at_text }), el('div', {}, [el('div', { class: 'what' }, [e.title].concat(badges)), e.detail ? el('div', { class: 'detail', text: e.detail }) : null])]);
        })));
      }
      main.appendChild(tl);
      if (v.revenue_chart) {
        var holder = el('section', { class: 'block' });
        main.insertBefore(holder, tl);
        return renderCharts(holder, [v.revenue_chart]);
      }
    });
  }

  function load() {
    var my = ++seq, main = document.getElementById('main');
    clearViews();
    main.setAttribute('data-loaded', 'false');
    var work = PAGE === 'customer' ? customerPage(main, my)
      : PAGE === 'customers' ? customersPage(main, my)
      : PAGE === 'interactions' ? interactionsPage(main, my)
      : dashboard(main, my);
    return work.then(function () {
      if (my === seq) main.setAttribute('data-loaded', 'true');
    }, function (err) {
      if (my !== seq) return;
      clearMain(main);
      main.appendChild(el('p', { class: 'error', id: 'load-error', text: T('error.load', { message: err.message }) }));
      if (err.status === 401 || err.status === 403) askForKey(err.status === 401 ? T('auth.need_key') : T('auth.forbidden'));
      main.setAttribute('data-loaded', 'error');
    });
  }

  var DASHBOARD_PAGES = ['overview', 'satisfaction', 'service', 'rfm', 'churn'];
  window.addEventListener('popstate', function () { if (DASHBOARD_PAGES.indexOf(PAGE) >= 0) filterBar(); updateLinks(); load(); });

  api('/api/status').then(function (s) {
    banner(s);
    updateLinks();
    if (DASHBOARD_PAGES.indexOf(PAGE) < 0) return null;
    return api('/api/filters?lang=' + LANG).then(function (o) { options = o; }, function () { options = {}; }).then(filterBar);
  }).then(function () { return load(); }).catch(function (err) {
    document.getElementById('main').textContent = err.message;
  });
})();
