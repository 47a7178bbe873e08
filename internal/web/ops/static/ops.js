// ops.js: what the live map (/ops/map) and the wall screen (/ops/wall) share — the page's data,
// the live stream (EventSource on /api/v1/live), the measures and their colour scales, the feed
// items and the map itself: grids coloured by a measure with a legend, orders as clustered
// points, a heat layer by category and period, the offline base map under them (mapbase.js).
// Every name (grid, category, town) becomes text through cg.el, never markup.
(function () {
  'use strict';
  var h = cg.el;
  var ops = {};

  ops.words = {
    zh: {
      open: '在办量', overdue: '超期量', week: '本周受理', satisfaction: '满意率', none: '无数据',
      live_on: '● 实时', live_off: '○ 重连中…', live_connecting: '连接中…',
      f_open: '在办', f_overdue: '超期', f_week: '近 7 天受理', f_rate: '满意率', f_queue: '查看该网格工单队列 →',
      unassigned: '未落网格', new_order: '新', orders: '件', points: '个点位'
    },
    en: {
      open: 'Open load', overdue: 'Overdue', week: 'Received this week', satisfaction: 'Satisfaction', none: 'no data',
      live_on: '● Live', live_off: '○ Reconnecting…', live_connecting: 'Connecting…',
      f_open: 'Open', f_overdue: 'Overdue', f_week: 'Received, last 7 days', f_rate: 'Satisfaction', f_queue: 'The grid’s queue of orders →',
      unassigned: 'No grid', new_order: 'new', orders: 'orders', points: 'points'
    }
  };

  ops.data = function () {
    try { return JSON.parse(document.getElementById('ops-data').textContent || '{}') || {}; } catch (e) { return {}; }
  };

  // page is what every ops page starts from: the #map element, its language, the words in it and
  // the page's data (category and state names always present); null when the page has no map.
  ops.page = function () {
    var el = document.getElementById('map');
    if (!el) return null;
    var lang = el.dataset.lang === 'en' ? 'en' : 'zh';
    var d = ops.data();
    d.categories = d.categories || {}; d.states = d.states || {};
    return { el: el, lang: lang, w: ops.words[lang], d: d };
  };

  ops.getJSON = function (url) {
    return fetch(url, { credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) throw new Error(url + ': ' + r.status);
      return r.json();
    });
  };

  // live follows the stream of order changes: onChange(change) for each, onResync() when changes
  // may have been missed (reconnected) or many orders changed at once (an import's batch); status
  // shows whether the stream is up. The browser's
  // EventSource reconnects by itself (the server asks for 5 s), then the figures are reloaded.
  ops.live = function (status, w, onChange, onResync) {
    var es = new EventSource('/api/v1/live');
    var wasDown = false;
    function set(s) {
      if (!status) return;
      status.dataset.state = s;
      status.textContent = w['live_' + s];
    }
    es.addEventListener('open', function () { set('on'); if (wasDown) onResync(); wasDown = false; });
    es.addEventListener('error', function () { set('off'); wasDown = true; });
    es.addEventListener('order', function (e) {
      var c;
      try { c = JSON.parse(e.data); } catch (x) { return; }
      onChange(c);
    });
    es.addEventListener('resync', function () { onResync(); });
    // Many orders of the town at once (an import's batch, the warning sweep): reload, as after a gap.
    es.addEventListener('many', function () { onResync(); });
    window.addEventListener('pagehide', function () { es.close(); });
    return es;
  };

  // value is a grid's figure for measure m; null when it has none (no ratings).
  ops.value = function (g, m) {
    if (!g) return m === 'satisfaction' ? null : 0;
    if (m === 'satisfaction') return g.rated ? g.satisfied / g.rated : null;
    return g[m] || 0;
  };

  ops.format = function (v, m) {
    if (v == null) return '–';
    return m === 'satisfaction' ? (v * 100).toFixed(1) + '%' : String(v);
  };

  var countColours = ['#fde68a', '#fdba74', '#f97316', '#dc2626', '#7f1d1d'];
  var noneColour = '#e5e7eb';

  // scale gives the colour of a value and the legend's classes: counts in five equal steps up to
  // the largest grid's; satisfaction in fixed bands (below 60 % red … 90 % and above green).
  ops.scale = function (m, values) {
    if (m === 'satisfaction') {
      var bands = [{ to: 0.6, c: '#dc2626', t: '< 60%' }, { to: 0.8, c: '#f97316', t: '60–80%' },
        { to: 0.9, c: '#a3e635', t: '80–90%' }, { to: 1.01, c: '#16a34a', t: '≥ 90%' }];
      return {
        colour: function (v) {
          if (v == null) return noneColour;
          for (var i = 0; i < bands.length; i++) if (v < bands[i].to) return bands[i].c;
          return bands[bands.length - 1].c;
        },
        classes: bands.map(function (b) { return { c: b.c, t: b.t }; })
      };
    }
    var max = Math.max.apply(null, [0].concat(values));
    var step = Math.max(1, Math.ceil(max / countColours.length));
    var classes = [{ c: noneColour, t: '0' }];
    for (var i = 0; i < countColours.length && i * step < max; i++) {
      var lo = i * step + 1, hi = (i + 1) * step;
      classes.push({ c: countColours[i], t: lo === hi ? String(lo) : lo + '–' + hi });
    }
    return {
      colour: function (v) { return !v ? noneColour : countColours[Math.min(countColours.length - 1, Math.floor((v - 1) / step))]; },
      classes: classes
    };
  };

  function hhmm(s) {
    var d = new Date(s);
    if (isNaN(d)) return '';
    return ('0' + d.getHours()).slice(-2) + ':' + ('0' + d.getMinutes()).slice(-2);
  }

  // feedItem is one line of the live feed: time, number (a link to the order), category, grid, state.
  ops.feedItem = function (c, d, w) {
    var fresh = c.action === 'receive';
    return h('li', { class: fresh ? 'fresh' : null, data: { id: c.id } },
      h('time', null, hhmm(c.at || c.received_at)),
      fresh ? h('span', { class: 'badge-new' }, w.new_order) : null,
      h('a', { href: '/orders/' + c.id }, c.number || ('#' + c.id)),
      h('span', { class: 'cat' }, (d.categories || {})[c.category] || c.category),
      h('span', { class: 'state state-' + c.state }, (d.states || {})[c.state] || c.state));
  };

  // feed keeps the newest max items of list, newest first.
  ops.feed = function (list, max) {
    return {
      add: function (node) {
        list.insertBefore(node, list.firstChild);
        while (list.children.length > max) list.removeChild(list.lastChild);
        list.dataset.count = String(list.children.length);
      }
    };
  };

  var openStates = { received: 1, filed: 1, dispatched: 1, in_progress: 1, handled: 1 };
  function pinClass(p) { return p.overdue ? 'late' : openStates[p.state] ? 'open' : 'done'; }

  // map draws the live map into el. opts: d (page data), w (words), lang, measure, days,
  // category, points, open, heat, onGrid(properties, figures). It returns the controls: set(o)
  // changes options and reloads what they touch, change(c) applies a live change, figures() the
  // last figures, ready a promise.
  ops.map = function (el, opts) {
    var d = opts.d, w = opts.w;
    var st = { measure: opts.measure || 'open', days: opts.days || 7, category: opts.category || '', points: opts.points !== false, open: opts.open !== false, heat: !!opts.heat };
    // markercluster needs the map's maxZoom, which a map without tiles does not get from a layer.
    var map = L.map(el, { zoomSnap: 0.25, maxZoom: 19, zoomControl: opts.zoomControl !== false }).setView([31.215, 121.38], 14);
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: cg.esc(el.dataset.attribution || '') }).addTo(map);
    var cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 45 });
    var markers = {};
    var heat = null, gridLayer = null, figs = { grids: [], total: {} }, byGrid = {};
    var legend = L.control({ position: 'bottomright' });
    legend.onAdd = function () { return h('div', { class: 'ops-legend' }); };
    legend.addTo(map);

    function query() {
      return 'days=' + st.days + (st.category ? '&category=' + encodeURIComponent(st.category) : '');
    }
    function count() { el.dataset.points = String(Object.keys(markers).length); }
    function marker(p, fresh) {
      var m = L.marker([p.lat, p.lng], {
        icon: L.divIcon({ className: 'ops-pin ops-pin-' + pinClass(p) + (fresh ? ' ops-pin-new' : ''), iconSize: [14, 14] }),
        title: p.number || ''
      });
      m.bindTooltip(h('span', null, h('b', null, p.number || ('#' + p.id)), ' · ', d.categories[p.category] || p.category, ' · ', d.states[p.state] || p.state));
      m.bindPopup(h('div', null, h('a', { href: '/orders/' + p.id }, p.number || ('#' + p.id)), h('br'),
        d.categories[p.category] || p.category, ' · ', d.states[p.state] || p.state));
      return m;
    }
    function paintGrids() {
      if (!gridLayer) return;
      var vals = figs.grids.map(function (g) { return ops.value(g, st.measure); }).filter(function (v) { return v != null; });
      var sc = ops.scale(st.measure, vals);
      gridLayer.eachLayer(function (l) {
        var p = l.feature.properties;
        var v = ops.value(byGrid[p.town_code + '/' + p.code], st.measure);
        l.setStyle({ color: '#334155', weight: 1.5, fillColor: sc.colour(v), fillOpacity: 0.55 });
        l.setTooltipContent(h('span', null, h('b', null, p.name), ' · ', w[st.measure], ' ', ops.format(v, st.measure)));
      });
      cg.fill(legend.getContainer(), h('b', null, w[st.measure]), h('ul', null, sc.classes.map(function (k) {
        return h('li', null, h('span', { class: 'sw', style: { background: k.c } }), k.t);
      }), st.measure === 'satisfaction' ? h('li', null, h('span', { class: 'sw', style: { background: noneColour } }), w.none) : null));
      el.dataset.measure = st.measure;
    }
    function loadFigures() {
      return ops.getJSON('/api/v1/ops/figures').then(function (f) {
        figs = f; byGrid = {};
        (f.grids || []).forEach(function (g) { byGrid[g.town + '/' + g.grid] = g; });
        paintGrids();
        if (opts.onFigures) opts.onFigures(f);
      });
    }
    function loadPoints() {
      cluster.clearLayers(); markers = {};
      if (!st.points) { map.removeLayer(cluster); count(); return Promise.resolve(); }
      map.addLayer(cluster);
      return ops.getJSON('/api/v1/ops/points?' + query() + '&open=' + st.open).then(function (r) {
        var ms = r.points.map(function (p) { var m = marker(p); markers[p.id] = m; return m; });
        cluster.addLayers(ms);
        count();
        if (opts.onPoints) opts.onPoints(r);
      });
    }
    function loadHeat() {
      if (heat) { map.removeLayer(heat); heat = null; }
      if (!st.heat) return Promise.resolve();
      return ops.getJSON('/api/v1/ops/heat?' + query()).then(function (r) {
        var max = 1;
        r.cells.forEach(function (c) { max = Math.max(max, c.count); });
        heat = L.heatLayer(r.cells.map(function (c) { return [c.lat, c.lng, c.count]; }), { radius: 22, blur: 18, max: max, minOpacity: 0.3 }).addTo(map);
        el.dataset.heatCells = String(r.cells.length);
      });
    }
    var refigure = null;
    function laterFigures() {
      clearTimeout(refigure);
      refigure = setTimeout(loadFigures, 2000);
    }

    var ready = ops.getJSON('/api/v1/grids').then(function (fc) {
      gridLayer = L.geoJSON(fc, {
        style: { color: '#334155', weight: 1.5, fillColor: noneColour, fillOpacity: 0.5 },
        onEachFeature: function (f, l) {
          l.bindTooltip(h('span', null, f.properties.name), { sticky: true });
          l.on('click', function () {
            if (opts.onGrid) opts.onGrid(f.properties, byGrid[f.properties.town_code + '/' + f.properties.code] || null);
          });
        }
      }).addTo(map);
      if (fc.features && fc.features.length) map.fitBounds(gridLayer.getBounds(), { padding: [10, 10], animate: false });
      el.dataset.grids = String(fc.features ? fc.features.length : 0);
      return Promise.all([loadFigures(), loadPoints(), loadHeat(),
        cg.basemap(map, { lang: opts.lang, tiles: el.dataset.tiles, grids: false, note: false, legend: false })]);
    }).then(function () {
      document.body.dataset.mapReady = '1';
    }).catch(function (e) { el.dataset.error = String(e); document.body.dataset.mapReady = 'error'; });

    return {
      map: map,
      ready: ready,
      figures: function () { return figs; },
      set: function (o) {
        var old = st;
        st = Object.assign({}, st, o);
        if (old.measure !== st.measure) paintGrids();
        if (old.points !== st.points || old.open !== st.open || old.days !== st.days || old.category !== st.category) loadPoints();
        if (old.heat !== st.heat || (st.heat && (old.days !== st.days || old.category !== st.category))) loadHeat();
      },
      reload: function () { return Promise.all([loadFigures(), loadPoints(), loadHeat()]); },
      // change applies a live change: the order's pin is added, moved or restyled (or removed
      // when it no longer matches the filter), and the figures reload shortly after.
      change: function (c) {
        laterFigures();
        if (!st.points) return;
        var old = markers[c.id];
        if (old) { cluster.removeLayer(old); delete markers[c.id]; }
        var fits = c.lat != null && c.lng != null && (!st.category || c.category === st.category) && (!st.open || openStates[c.state]);
        if (fits) {
          var m = marker(c, c.action === 'receive');
          markers[c.id] = m;
          cluster.addLayer(m);
        }
        count();
      }
    };
  };

  cg.ops = ops;
})();
