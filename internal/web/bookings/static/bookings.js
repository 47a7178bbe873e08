// Bookings pages: the route's points (or the place) on a Leaflet map, and the manager's
// occupancy chart (ECharts) beside its table. Data come from the page as JSON; every name is
// put in as text (cg.el), never as HTML.
(function () {
  var data = cg.data;
  var h = cg.el;

  var m = data('bk-map-data');
  var mapEl = document.getElementById('map');
  if (m && mapEl && window.L) {
    var map = L.map(mapEl, { zoomControl: true, scrollWheelZoom: false });
    if (mapEl.dataset.tiles) L.tileLayer(mapEl.dataset.tiles, { maxZoom: 19, attribution: cg.esc(mapEl.dataset.attribution || '') }).addTo(map);
    var pts = (m.points || []).map(function (p) { return [p.lat, p.lng]; });
    if (pts.length) {
      map.fitBounds(L.latLngBounds(pts), { padding: [24, 24] });
      L.polyline(pts, { color: '#c0392b', weight: 4, opacity: 0.8, className: 'bk-route-line' }).addTo(map);
      (m.points || []).forEach(function (p) {
        L.circleMarker([p.lat, p.lng], { radius: 9, color: '#fff', weight: 2, fillColor: '#c0392b', fillOpacity: 1, className: 'bk-point' })
          .bindTooltip(h('span', null, p.seq + '. ' + p.name), { direction: 'top' })
          .addTo(map);
        L.marker([p.lat, p.lng], { icon: L.divIcon({ className: 'bk-num', html: h('span', null, String(p.seq)), iconSize: [18, 18] }), interactive: false })
          .addTo(map);
      });
    } else if (m.lat) {
      L.circleMarker([m.lat, m.lng], { radius: 10, color: '#fff', weight: 2, fillColor: '#1f6feb', fillOpacity: 1 })
        .bindTooltip(h('span', null, m.name), { permanent: true, direction: 'top' }).addTo(map);
      map.setView([m.lat, m.lng], 16);
    }
    mapEl.dataset.points = String(pts.length);
    document.body.dataset.mapReady = '1';
  }

  var c = data('bk-chart-data');
  var chartEl = document.getElementById('bk-chart');
  if (c && chartEl && window.echarts) {
    var days = c.days || [], L10n = c.labels || {};
    var chart = echarts.init(chartEl);
    function col(k) { return days.map(function (d) { return d[k]; }); }
    chart.setOption({
      color: ['#1f6feb', '#1a7f37', '#bf8700', '#8250df'],
      tooltip: { trigger: 'axis', formatter: cg.axisTooltip },
      legend: { top: 0, data: [L10n.booked, L10n.checked_in, L10n.no_show, L10n.waiting] },
      grid: { left: 40, right: 12, top: 48, bottom: 40 },
      xAxis: { type: 'category', data: days.map(function (d) { return d.day.slice(5); }) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: L10n.booked, type: 'bar', stack: 'p', data: col('booked') },
        { name: L10n.checked_in, type: 'bar', stack: 'p', data: col('checked_in') },
        { name: L10n.no_show, type: 'bar', stack: 'p', data: col('no_show') },
        { name: L10n.waiting, type: 'bar', data: col('waiting') },
        { name: L10n.capacity, type: 'line', step: 'middle', symbol: 'none', lineStyle: { type: 'dashed', color: '#888' }, data: col('capacity') }
      ]
    });
    window.addEventListener('resize', function () { chart.resize(); });
    chartEl.dataset.days = String(days.length);
  }
})();
