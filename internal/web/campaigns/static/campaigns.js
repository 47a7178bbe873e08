// The campaign page: grids coloured by visit coverage with the targets as pins (visited green,
// pending grey), and an ECharts bar chart of targets and visited targets per grid. Data comes
// from the page (progress and pins as JSON) and the grid polygons from /api/v1/grids.
(function () {
  var data = cg.data;
  var h = cg.el;
  var progress = data('cp-progress-data') || { grids: [] };
  var pins = data('cp-pins-data') || [];
  var L10n = data('cp-labels') || {};
  var byGrid = {};
  (progress.grids || []).forEach(function (r) { byGrid[r.grid] = r; });

  // Red → yellow → green by coverage; grids without targets stay neutral.
  function colour(r) {
    if (!r || !r.targets) return '#b8c2cc';
    var c = r.coverage;
    if (c < 20) return '#d73027';
    if (c < 40) return '#fc8d59';
    if (c < 60) return '#fee08b';
    if (c < 80) return '#91cf60';
    return '#1a9850';
  }
  var pinColour = { visited: '#1a7f37', not_home: '#bf8700', refused: '#c0392b', pending: '#8c959f' };

  var el = document.getElementById('map');
  if (el && window.L) {
    var map = L.map(el, { zoomControl: true }).setView([31.215, 121.38], 14);
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: cg.esc(el.dataset.attribution || '') }).addTo(map);
    fetch('/api/v1/grids', { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (fc) {
      var feats = (fc.features || []).filter(function (f) { return f.properties.town_code === el.dataset.town; });
      var layer = L.geoJSON({ type: 'FeatureCollection', features: feats }, {
        style: function (f) {
          var c = colour(byGrid[f.properties.code]);
          return { color: '#555', weight: 1.5, fillColor: c, fillOpacity: 0.55, className: 'cp-grid-polygon' };
        },
        onEachFeature: function (f, lyr) {
          var r = byGrid[f.properties.code] || { targets: 0, visited: 0, coverage: 0, orders: 0 };
          lyr.bindTooltip(h('span', null, f.properties.name, h('br'), r.coverage + '%'), { permanent: true, direction: 'center', className: 'grid-label' });
          lyr.bindPopup(h('div', null, h('b', null, f.properties.name), h('br'), L10n.targets + ' ' + r.targets + ' · ' + L10n.visited + ' ' + r.visited,
            h('br'), L10n.coverage + ' ' + r.coverage + '% · ' + L10n.orders + ' ' + r.orders));
        }
      }).addTo(map);
      var pinLayer = L.layerGroup().addTo(map);
      pins.forEach(function (p) {
        L.circleMarker([p.lat, p.lng], { radius: 4, color: '#fff', weight: 1, fillColor: pinColour[p.status] || pinColour.pending, fillOpacity: 0.95, className: 'cp-pin cp-pin-' + p.status })
          .bindTooltip(h('span', null, p.name + ' · ' + p.kind))
          .on('click', function () { location.href = location.pathname.replace(/\/$/, '') + '/targets/' + p.id; })
          .addTo(pinLayer);
      });
      if (feats.length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
      el.dataset.grids = String(feats.length);
      el.dataset.pins = String(pins.length);
      document.body.dataset.mapReady = '1';
    }).catch(function (e) { el.dataset.error = String(e); document.body.dataset.mapReady = 'error'; });
  }

  var chartEl = document.getElementById('cp-chart');
  if (chartEl && window.echarts) {
    var rows = (progress.grids || []).filter(function (r) { return r.targets > 0; });
    var chart = echarts.init(chartEl, null, { renderer: 'svg' });
    chart.setOption({
      animation: false,
      // Grid names are typed by users: the tooltip is built from text nodes (see dom.js).
      tooltip: { trigger: 'axis', formatter: cg.axisTooltip },
      legend: { data: [L10n.targets, L10n.visited, L10n.coverage], top: 0 },
      grid: { left: 40, right: 44, top: 36, bottom: 70 },
      xAxis: { type: 'category', data: rows.map(function (r) { return r.grid_name; }), axisLabel: { rotate: 35, interval: 0, fontSize: 11 } },
      yAxis: [{ type: 'value', minInterval: 1 }, { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } }],
      series: [
        { name: L10n.targets, type: 'bar', data: rows.map(function (r) { return r.targets; }), itemStyle: { color: '#b8c2cc' } },
        { name: L10n.visited, type: 'bar', data: rows.map(function (r) { return r.visited; }), itemStyle: { color: '#1a7f37' } },
        { name: L10n.coverage, type: 'line', yAxisIndex: 1, data: rows.map(function (r) { return r.coverage; }), itemStyle: { color: '#c0392b' } }
      ]
    });
    window.addEventListener('resize', function () { chart.resize(); });
    chartEl.dataset.bars = String(rows.length);
    document.body.dataset.chartReady = '1';
  }
})();
