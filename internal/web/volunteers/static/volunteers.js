// The volunteer pages: the hours chart, the activities' map, the location check-in, the lead's
// rotating check-in code, the certificate's print button and the statistics charts. Names of
// activities, places and projects are typed by users: they go into the page only as text (dom.js).
(function () {
  'use strict';
  var h = cg.el;
  var data = cg.data;
  function textTooltip(params) {
    var p = Array.isArray(params) ? params[0] : params;
    return h('span', null, String(p.name), h('br'), String(p.seriesName) + ': ' + String(p.value));
  }

  // My hours: one bar per year and project.
  var hours = data('vol-hours-data');
  var hoursEl = document.getElementById('vol-hours-chart');
  if (hours && hoursEl && window.echarts) {
    var hc = echarts.init(hoursEl, null, { renderer: 'svg' });
    hc.setOption({
      animation: false,
      tooltip: { trigger: 'axis', formatter: cg.axisTooltip || textTooltip },
      grid: { left: 110, right: 20, top: 10, bottom: 24 },
      xAxis: { type: 'value' },
      yAxis: { type: 'category', data: hours.labels || [], axisLabel: { fontSize: 11 } },
      series: [{ name: hours.title, type: 'bar', data: hours.hours || [], itemStyle: { color: '#c0392b' }, label: { show: true, position: 'right' } }]
    });
    hoursEl.dataset.bars = String((hours.hours || []).length);
    window.addEventListener('resize', function () { hc.resize(); });
  }

  // The map of activities (list) or of one activity with its check-in radius.
  var mapEl = document.getElementById('vol-map');
  var pins = data('vol-pins') || [];
  if (mapEl && window.L) {
    var map = L.map(mapEl, { zoomControl: true }).setView([31.215, 121.37], 14);
    if (mapEl.dataset.tiles) L.tileLayer(mapEl.dataset.tiles, { maxZoom: 19, attribution: cg.esc(mapEl.dataset.attribution || '') }).addTo(map);
    // The product's own geography under the pins (town outline, grids, landmarks), as other maps.
    if (cg.basemap) cg.basemap(map, { lang: document.documentElement.lang === 'en' ? 'en' : 'zh', tiles: mapEl.dataset.tiles, legend: false, note: false });
    var pts = [];
    pins.forEach(function (p) {
      var m = L.circleMarker([p.lat, p.lng], { radius: 8, color: '#fff', weight: 2, fillColor: '#c0392b', fillOpacity: 0.9, className: 'vol-pin' })
        .bindTooltip(h('span', null, h('b', null, p.title), h('br'), (p.when ? p.when + ' · ' : '') + p.place))
        .addTo(map);
      if (!mapEl.dataset.radius) m.on('click', function () { location.href = '/volunteers/activities/' + p.id; });
      else L.circle([p.lat, p.lng], { radius: Number(mapEl.dataset.radius), color: '#c0392b', weight: 1, fillOpacity: 0.08 }).addTo(map);
      pts.push([p.lat, p.lng]);
    });
    if (pts.length === 1) map.setView(pts[0], 16);
    else if (pts.length > 1) map.fitBounds(pts, { padding: [20, 20] });
    mapEl.dataset.pins = String(pts.length);
    document.body.dataset.mapReady = '1';
  }

  // Location check-in: the phone's position goes into the form, the server checks the radius.
  var geoBtn = document.getElementById('vol-geo-button');
  if (geoBtn) {
    geoBtn.addEventListener('click', function () {
      var form = document.getElementById('vol-geo-form');
      if (!navigator.geolocation) { alert(geoBtn.dataset.error); return; }
      geoBtn.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.elements.lat.value = String(pos.coords.latitude);
        form.elements.lng.value = String(pos.coords.longitude);
        form.submit();
      }, function () { geoBtn.disabled = false; alert(geoBtn.dataset.error); }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }

  // The lead's code: a new one every period; the image and the link follow.
  var qr = document.getElementById('vol-qr');
  var countdown = document.getElementById('vol-countdown');
  var link = document.getElementById('vol-checkin-url');
  if (qr && countdown && link) {
    var expires = Number(countdown.dataset.expires) * 1000;
    var busy = false;
    var refresh = function () {
      if (busy) return;
      busy = true;
      fetch('/api/v1/volunteer-activities/' + link.dataset.activity + '/code', { credentials: 'same-origin', cache: 'no-store' })
        .then(function (r) { return r.json(); })
        .then(function (c) {
          expires = Date.parse(c.expires);
          link.setAttribute('href', c.url);
          qr.setAttribute('src', '/volunteers/activities/' + link.dataset.activity + '/code.svg?t=' + encodeURIComponent(c.code));
          document.body.dataset.codeRefreshed = String(Date.now());
        })
        .catch(function () {})
        .then(function () { busy = false; });
    };
    var tick = function () {
      var left = Math.max(0, Math.ceil((expires - Date.now()) / 1000));
      cg.fill(countdown, left + ' s');
      if (left <= 0) refresh();
    };
    tick();
    setInterval(tick, 1000);
  }

  var printBtn = document.getElementById('vol-print');
  if (printBtn) printBtn.addEventListener('click', function () { window.print(); });

  // Statistics: hours and volunteers per project, hours per month.
  var st = data('vol-stats-data');
  if (st && window.echarts) {
    var pe = document.getElementById('vol-projects-chart');
    if (pe) {
      var pc = echarts.init(pe, null, { renderer: 'svg' });
      pc.setOption({
        animation: false,
        tooltip: { trigger: 'axis', formatter: cg.axisTooltip || textTooltip },
        legend: { data: [st.l_hours, st.l_people], top: 0 },
        grid: { left: 44, right: 44, top: 32, bottom: 40 },
        xAxis: { type: 'category', data: st.projects || [], axisLabel: { interval: 0, fontSize: 11 } },
        yAxis: [{ type: 'value', name: st.l_hours }, { type: 'value', name: st.l_people, minInterval: 1 }],
        series: [
          { name: st.l_hours, type: 'bar', data: st.hours || [], itemStyle: { color: '#c0392b' } },
          { name: st.l_people, type: 'bar', yAxisIndex: 1, data: st.people || [], itemStyle: { color: '#8c959f' } }
        ]
      });
      pe.dataset.bars = String((st.projects || []).length);
      window.addEventListener('resize', function () { pc.resize(); });
    }
    var me = document.getElementById('vol-months-chart');
    if (me) {
      var mc = echarts.init(me, null, { renderer: 'svg' });
      mc.setOption({
        animation: false,
        tooltip: { trigger: 'axis', formatter: cg.axisTooltip || textTooltip },
        grid: { left: 44, right: 16, top: 16, bottom: 28 },
        xAxis: { type: 'category', data: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'] },
        yAxis: { type: 'value' },
        series: [{ name: st.l_hours, type: 'line', areaStyle: { opacity: 0.15 }, data: st.months || [], itemStyle: { color: '#c0392b' } }]
      });
      window.addEventListener('resize', function () { mc.resize(); });
    }
  }
})();
