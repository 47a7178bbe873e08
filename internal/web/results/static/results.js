// Results pages: the year's chart (progress per project, overdue milestones) and map of project
// places, the progress slider's read-out, and the report's print button. Data comes from the page's
// JSON blocks; every name goes into the page as text (cg.el), never as HTML.
(function () {
  'use strict';
  var data = cg.data;
  var h = cg.el;
  var chart = data('rs-chart-data');
  var pins = data('rs-pins') || [];
  var L10n = data('rs-labels') || {};
  var base = L10n.base || '/results/';
  var colours = { not_started: '#8c959f', in_progress: '#1f6feb', done: '#1a7f37', rectifying: '#c0392b' };

  var chartEl = document.getElementById('rs-chart');
  if (chartEl && chart && window.echarts) {
    var c = echarts.init(chartEl, null, { renderer: 'svg' });
    // Long titles wrap at the axis; the tooltip is built from text nodes (dom.js).
    c.setOption({
      animation: false,
      tooltip: { trigger: 'axis', formatter: cg.axisTooltip },
      legend: { data: [L10n.progress, L10n.overdue], top: 0 },
      grid: { left: 8, right: 40, top: 30, bottom: 10, containLabel: true },
      yAxis: { type: 'category', inverse: true, data: chart.titles, axisLabel: { width: 150, overflow: 'truncate', fontSize: 11 } },
      xAxis: [{ type: 'value', max: 100, axisLabel: { formatter: '{value}%' } }, { type: 'value', minInterval: 1, show: false }],
      series: [
        { name: L10n.progress, type: 'bar', data: chart.progress, itemStyle: { color: '#1a7f37' }, label: { show: true, position: 'right', formatter: '{c}%', fontSize: 10 } },
        { name: L10n.overdue, type: 'bar', xAxisIndex: 1, data: chart.overdue, itemStyle: { color: '#c0392b' }, barGap: '10%' }
      ]
    });
    chartEl.style.height = Math.max(260, 40 + chart.titles.length * 34) + 'px';
    c.resize();
    c.on('click', function (p) { if (chart.ids[p.dataIndex]) location.href = base + chart.ids[p.dataIndex]; });
    window.addEventListener('resize', function () { c.resize(); });
    chartEl.dataset.bars = String(chart.titles.length);
    document.body.dataset.chartReady = '1';
  }

  var mapEl = document.getElementById('rs-map');
  if (mapEl && window.L) {
    var map = L.map(mapEl, { zoomControl: true }).setView([31.215, 121.38], 14);
    if (mapEl.dataset.tiles) L.tileLayer(mapEl.dataset.tiles, { maxZoom: 19, attribution: cg.esc(mapEl.dataset.attribution || '') }).addTo(map);
    var layer = L.featureGroup();
    // Project places: large pins ringed in dark blue, coloured by status, drawn above the base map.
    pins.forEach(function (p) {
      L.circleMarker([p.lat, p.lng], { radius: 10, color: '#0b2e59', weight: 3, fillColor: colours[p.status] || '#1f6feb', fillOpacity: 1, className: 'rs-pin' })
        .bindTooltip(h('span', null, p.title + ' · ' + p.progress + '%'))
        .on('click', function () { location.href = base + p.id; })
        .addTo(layer);
    });
    var fit = function () { if (pins.length) map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 16 }); };
    var done = function () {
      layer.addTo(map);
      layer.bringToFront();
      mapEl.dataset.pins = String(pins.length);
      document.body.dataset.mapReady = '1';
    };
    if (!mapEl.dataset.public && cg.basemap) {
      cg.basemap(map, { town: mapEl.dataset.town, lang: mapEl.dataset.lang === 'en' ? 'en' : 'zh', tiles: mapEl.dataset.tiles, note: false })
        .then(function () { fit(); done(); }, function () { fit(); done(); });
    } else {
      // The public map: the town's grid outlines (public) under the project places.
      fetch('/report/areas?town=' + encodeURIComponent(mapEl.dataset.town || ''), { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (fc) {
          if (fc && fc.features) L.geoJSON(fc, { style: { color: '#4363d8', weight: 1, fillOpacity: 0.04 }, interactive: false }).addTo(map).bringToBack();
          fit(); done();
        }, function () { fit(); done(); });
    }
  }

  var range = document.getElementById('rs-progress-range');
  var out = document.getElementById('rs-progress-out');
  if (range && out) range.addEventListener('input', function () { out.textContent = range.value; });

  var print = document.getElementById('print-report');
  if (print) print.addEventListener('click', function () { window.print(); });
})();
