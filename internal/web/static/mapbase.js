// mapbase.js: what every map draws of the product's own geography, so that a map without a tile
// server (the default) is still a map: the town outlines, the grids with their names, the
// residents' committees, the landmarks of the address book, and a legend.
//
//   cg.basemap(map, {town: code, lang: 'zh', tiles: url, grids: true}).then(function (b) { … })
//
// The data comes from GET /api/v1/basemap (no person in it; any signed-in user may read it).
// Labels are Leaflet markers whose icon is a node built with cg.el (text, never HTML); they are
// shown from a zoom on (towns always, grids from 13, committees and landmarks from 15, estates
// from 16) and thinned: after every zoom or move the labels are placed by rank and one that would
// overlap a placed one is hidden, so that a city view of two distant towns does not pile up text.
(function () {
  'use strict';
  var h = cg.el;
  var words = {
    zh: { legend: '图例', town: '街镇边界', grid: '网格', committee: '居民区', landmark: '地标', estate: '小区', offline: '未配置底图：显示本系统的网格、居民区与地标' },
    en: { legend: 'Legend', town: 'Town boundary', grid: 'Grid', committee: "Residents' committee", landmark: 'Landmark', estate: 'Estate', offline: 'No base map configured: showing the grids, committees and landmarks this system knows' }
  };
  var style = {
    town: { color: '#6b4f2a', weight: 3, opacity: 0.85, dashArray: '8 5', fill: false, interactive: false },
    grid: { color: '#4363d8', weight: 1.5, opacity: 0.9, fillColor: '#4363d8', fillOpacity: 0.05 },
    committee: { radius: 4, color: '#fff', weight: 1, fillColor: '#2e8b57', fillOpacity: 0.95 },
    landmark: { radius: 5, color: '#fff', weight: 1.5, fillColor: '#e8590c', fillOpacity: 0.95 },
    estate: { radius: 3, color: '#fff', weight: 1, fillColor: '#868e96', fillOpacity: 0.9 }
  };
  // Rank (lower is placed first) and the zoom from which each kind of label shows.
  var rank = { town: 0, grid: 1, landmark: 2, committee: 3, estate: 4 };
  var minZoom = { town: 0, grid: 13, landmark: 15, committee: 15, estate: 16 };

  function lngLat(ring) { return ring.map(function (p) { return [p[1], p[0]]; }); }

  // Labels: one marker per label, thinned by placeLabels.
  function Labels(map) {
    this.map = map;
    this.items = [];
    var self = this, pending = false;
    function later() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; self.place(); });
    }
    map.on('zoomend moveend resize', later);
  }
  Labels.prototype.add = function (kind, lat, lng, text) {
    var node = h('span', { class: 'cg-label-text' }, text);
    var m = L.marker([lat, lng], {
      icon: L.divIcon({ className: 'cg-label cg-label-' + kind, html: node, iconSize: null }),
      interactive: false, keyboard: false, pane: 'cgLabels'
    }).addTo(this.map);
    this.items.push({ kind: kind, marker: m, node: node, rank: rank[kind] });
  };
  // place shows the labels of the current zoom in rank order, hiding any that would overlap one
  // already shown (boxes measured on the page, with a few pixels of air).
  Labels.prototype.place = function () {
    var z = this.map.getZoom(), placed = [];
    // The page's own pins (the order's marker) and the map's controls (zoom, legend) are there
    // first: no label goes under them.
    this.map.getContainer().querySelectorAll('.leaflet-marker-pane img.leaflet-marker-icon, .leaflet-control').forEach(function (img) {
      var r = img.getBoundingClientRect();
      placed.push({ l: r.left, t: r.top, r: r.right, b: r.bottom });
    });
    var pins = placed.length;
    var items = this.items.slice().sort(function (a, b) { return a.rank - b.rank; });
    items.forEach(function (it) {
      var el = it.marker.getElement();
      if (!el) return;
      if (z < minZoom[it.kind]) { el.classList.add('cg-hidden'); return; }
      el.classList.remove('cg-hidden');
      var r = it.node.getBoundingClientRect(), pad = 3;
      var box = { l: r.left - pad, t: r.top - pad, r: r.right + pad, b: r.bottom + pad };
      var clash = placed.some(function (p) { return box.l < p.r && p.l < box.r && box.t < p.b && p.t < box.b; });
      if (clash || r.width === 0) { el.classList.add('cg-hidden'); return; }
      placed.push(box);
    });
    this.map.getContainer().dataset.labels = String(placed.length - pins);
  };

  // legend: the keys of what is drawn; on a small map (compact) one wrapped row without title or
  // note, so that it does not hide the order's surroundings.
  function legend(map, w, offline, kinds, compact, opts) {
    var c = L.control({ position: 'bottomleft' });
    c.onAdd = function () {
      var rows = [];
      if (kinds.town) rows.push(h('li', null, h('span', { class: 'cg-key cg-key-town' }), w.town));
      if (kinds.grid) rows.push(h('li', null, h('span', { class: 'cg-key cg-key-grid' + (opts.grids === false ? ' multi' : '') }), w.grid));
      if (kinds.committee) rows.push(h('li', null, h('span', { class: 'cg-key cg-key-dot', style: { background: style.committee.fillColor } }), w.committee));
      if (kinds.landmark) rows.push(h('li', null, h('span', { class: 'cg-key cg-key-dot', style: { background: style.landmark.fillColor } }), w.landmark));
      if (kinds.estate) rows.push(h('li', null, h('span', { class: 'cg-key cg-key-dot small', style: { background: style.estate.fillColor } }), w.estate));
      var div = compact ? h('div', { class: 'cg-legend compact', title: w.legend }, h('ul', null, rows))
        : h('div', { class: 'cg-legend' }, h('b', null, w.legend), h('ul', null, rows), offline && opts.note !== false ? h('p', { class: 'cg-offline' }, w.offline) : null);
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    c.addTo(map);
    return c;
  }

  // basemap draws the offline layers under whatever the page draws. opts: town (one town's code;
  // '' for all the caller's towns), lang, tiles (the tile URL, '' when none), grids (false when
  // the page draws its own grid polygons: only their names are added), landmarks (the page's
  // own list of places, used instead of the fetched one), legend (default true), note (false
  // when the page says itself that there is no base map). It resolves to
  // {bounds, data}; bounds cover every town drawn (for fitting the view), null when nothing is.
  function basemap(map, opts) {
    opts = opts || {};
    var w = words[opts.lang === 'en' ? 'en' : 'zh'];
    var offline = !opts.tiles;
    if (offline) map.getContainer().classList.add('cg-offline-map');
    if (!map.getPane('cgLabels')) {
      var pane = map.createPane('cgLabels');
      pane.style.zIndex = 620;
      pane.style.pointerEvents = 'none';
    }
    var url = '/api/v1/basemap' + (opts.town ? '?town=' + encodeURIComponent(opts.town) : '');
    return fetch(url, { credentials: 'same-origin' }).then(function (r) { return r.ok ? r.json() : null; }).then(function (b) {
      if (!b) return { bounds: null, data: null };
      var labels = new Labels(map), all = [];
      var kinds = { town: b.towns.length > 0, grid: b.grids.length > 0, committee: b.committees.length > 0 };
      b.towns.forEach(function (t) {
        var lines = (t.outline || []).map(lngLat);
        if (lines.length) all.push(L.polyline(lines, style.town).addTo(map).getBounds());
        labels.add('town', t.lat, t.lng, t.name);
      });
      b.grids.forEach(function (g) {
        if (opts.grids !== false) {
          var poly = L.polygon((g.polygon || []).map(lngLat), style.grid).addTo(map);
          poly.bindTooltip(h('span', null, g.name), { sticky: true });
        }
        labels.add('grid', g.lat, g.lng, b.towns.length > 1 ? g.name : g.short);
      });
      b.committees.forEach(function (c) {
        L.circleMarker([c.lat, c.lng], style.committee).bindTooltip(h('span', null, c.name)).addTo(map);
        labels.add('committee', c.lat, c.lng, c.name);
      });
      var marks = opts.landmarks || b.landmarks;
      marks.forEach(function (p) {
        var kind = p.kind === 'estate' ? 'estate' : 'landmark';
        if (p.kind === 'road') return;
        kinds[kind] = true;
        L.circleMarker([p.lat, p.lng], style[kind]).bindTooltip(h('span', null, p.name)).addTo(map);
        labels.add(kind, p.lat, p.lng, p.name);
      });
      if (opts.legend !== false) legend(map, w, offline, kinds, map.getSize().y < 520, opts);
      var bounds = null;
      all.forEach(function (bb) { bounds = bounds ? bounds.extend(bb) : L.latLngBounds(bb.getSouthWest(), bb.getNorthEast()); });
      labels.place();
      map.getContainer().dataset.basemap = '1';
      return { bounds: bounds, data: b, labels: labels };
    });
  }

  cg.basemap = basemap;
})();
