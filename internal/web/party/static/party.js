// Party building and coverage pages (internal/web/party): the tree's chart of members and honours,
// the practice network map, and the coverage map (grids coloured by full coverage, entities as
// pins) with its trend chart. Data comes from JSON blocks in the page; names typed by users go to
// Leaflet and ECharts as text (cg.el nodes, cg.axisTooltip), never as HTML.
(function () {
  var data = cg.data;
  var h = cg.el;
  var L10n = data('pt-labels') || {};
  var lang = document.documentElement.lang === 'en' ? 'en' : 'zh';

  function newMap(el, centre) {
    var map = L.map(el, { zoomControl: true }).setView(centre, 14);
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: cg.esc(el.dataset.attribution || '') }).addTo(map);
    return map;
  }

  // The tree: members and this year's honours by organisation under the town committee.
  var treeEl = document.getElementById('pt-tree-chart');
  if (treeEl && window.echarts) {
    var rows = data('pt-tree-data') || [];
    var chart = echarts.init(treeEl, null, { renderer: 'svg' });
    chart.setOption({
      animation: false,
      tooltip: { trigger: 'axis', formatter: cg.axisTooltip },
      legend: { data: [L10n.members, L10n.honoured], top: 0 },
      grid: { left: 40, right: 20, top: 30, bottom: 110 },
      xAxis: { type: 'category', data: rows.map(function (r) { return r.name; }), axisLabel: { rotate: 40, interval: 0, fontSize: 10 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: L10n.members, type: 'bar', data: rows.map(function (r) { return r.members; }), itemStyle: { color: '#b8c2cc' } },
        { name: L10n.honoured, type: 'bar', data: rows.map(function (r) { return r.honoured; }), itemStyle: { color: '#c0392b' } }
      ]
    });
    window.addEventListener('resize', function () { chart.resize(); });
    treeEl.dataset.bars = String(rows.length);
    document.body.dataset.chartReady = '1';
  }

  // The practice network: centre, stations and points, enterprises marked.
  var netEl = document.querySelector('#map[data-map=network]');
  if (netEl && window.L) {
    var sites = data('pt-sites-data') || [];
    var centre = sites.length ? [sites[0].lat, sites[0].lng] : [31.233, 121.506];
    var nmap = newMap(netEl, centre);
    var colours = { centre: '#c0392b', station: '#1f6feb', point: '#8250df', enterprise: '#bf8700' };
    var layer = L.featureGroup().addTo(nmap);
    sites.forEach(function (s) {
      var key = s.enterprise ? 'enterprise' : s.kind;
      L.circleMarker([s.lat, s.lng], { radius: s.kind === 'centre' ? 10 : s.kind === 'station' ? 6 : 5, color: '#fff', weight: 1,
        fillColor: colours[key], fillOpacity: 0.95, className: 'pt-site pt-site-' + key })
        .bindTooltip(h('span', null, s.name))
        .bindPopup(h('div', null, h('b', null, s.name), h('br'), s.kind_name + (s.enterprise ? ' · ' + L10n.enterprise : ''), h('div', null, s.offers || '')))
        .addTo(layer);
    });
    // The public page draws the town's outlines from the report page's public layer.
    fetch(netEl.dataset.grids || '/api/v1/grids', { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (fc) {
      var feats = (fc.features || []).filter(function (f) { return sites.length && f.properties.town_code === sites[0].town; });
      L.geoJSON({ type: 'FeatureCollection', features: feats }, {
        style: function () { return { color: '#57606a', weight: 1.2, fillColor: '#eef1f4', fillOpacity: 0.35, className: 'pt-grid-outline' }; },
        onEachFeature: function (f, lyr) { lyr.bindTooltip(h('span', null, f.properties.name), { sticky: true }); }
      }).addTo(nmap).bringToBack();
    }).catch(function () { return null; }).then(function () {
      if (sites.length) nmap.fitBounds(layer.getBounds(), { padding: [16, 16] });
      netEl.dataset.sites = String(sites.length);
      document.body.dataset.mapReady = '1';
    });
  }

  // Coverage: grids coloured by full coverage, entities as pins; the trend by month.
  function colour(r) {
    if (!r || !r.entities) return '#b8c2cc';
    var c = r.full_pct;
    if (c < 20) return '#d73027';
    if (c < 40) return '#fc8d59';
    if (c < 60) return '#fee08b';
    if (c < 80) return '#91cf60';
    return '#1a9850';
  }
  var pinColour = { full: '#1a7f37', org: '#1f6feb', work: '#bf8700', none: '#c0392b' };
  var covEl = document.querySelector('#map[data-map=coverage]');
  if (covEl && window.L) {
    var byGrid = {};
    (data('pt-cov-data') || []).forEach(function (r) { byGrid[r.grid] = r; });
    var pins = data('pt-pins-data') || [];
    var cmap = newMap(covEl, [31.215, 121.38]);
    fetch('/api/v1/grids', { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (fc) {
      var feats = (fc.features || []).filter(function (f) { return f.properties.town_code === covEl.dataset.town; });
      var glayer = L.geoJSON({ type: 'FeatureCollection', features: feats }, {
        style: function (f) {
          return { color: '#555', weight: 1.5, fillColor: colour(byGrid[f.properties.code]), fillOpacity: 0.55, className: 'pt-grid-polygon' };
        },
        onEachFeature: function (f, lyr) {
          var r = byGrid[f.properties.code] || { entities: 0, full: 0, full_pct: 0, org: 0, work: 0 };
          lyr.bindTooltip(h('span', null, f.properties.name, h('br'), r.full_pct + '%'), { permanent: true, direction: 'center', className: 'grid-label' });
          lyr.bindPopup(h('div', null, h('b', null, f.properties.name), h('br'), L10n.entities + ' ' + r.entities,
            h('br'), L10n.org + ' ' + r.org + ' · ' + L10n.work + ' ' + r.work, h('br'), L10n.full + ' ' + r.full + ' (' + r.full_pct + '%)'));
        }
      }).addTo(cmap);
      pins.forEach(function (p) {
        L.circleMarker([p.lat, p.lng], { radius: 5, color: '#fff', weight: 1, fillColor: pinColour[p.status], fillOpacity: 0.95, className: 'pt-pin pt-pin-' + p.status })
          .bindTooltip(h('span', null, p.name + ' · ' + p.kind)).addTo(cmap);
      });
      if (feats.length) cmap.fitBounds(glayer.getBounds(), { padding: [10, 10] });
      covEl.dataset.grids = String(feats.length);
      covEl.dataset.pins = String(pins.length);
      document.body.dataset.mapReady = '1';
    }).catch(function (e) { covEl.dataset.error = String(e); document.body.dataset.mapReady = 'error'; });
  }
  var trendEl = document.getElementById('pt-trend');
  if (trendEl && window.echarts) {
    var trend = data('pt-trend-data') || [];
    var tc = echarts.init(trendEl, null, { renderer: 'svg' });
    tc.setOption({
      animation: false,
      tooltip: { trigger: 'axis', formatter: cg.axisTooltip },
      legend: { data: [L10n.full_pct, L10n.org_pct, L10n.work_pct], top: 0 },
      grid: { left: 44, right: 16, top: 36, bottom: 30 },
      xAxis: { type: 'category', data: trend.map(function (r) { return r.month; }) },
      yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      series: [
        { name: L10n.full_pct, type: 'line', data: trend.map(function (r) { return r.full_pct; }), itemStyle: { color: '#1a7f37' }, lineStyle: { width: 3 } },
        { name: L10n.org_pct, type: 'line', data: trend.map(function (r) { return r.org_pct; }), itemStyle: { color: '#1f6feb' } },
        { name: L10n.work_pct, type: 'line', data: trend.map(function (r) { return r.work_pct; }), itemStyle: { color: '#bf8700' } }
      ]
    });
    window.addEventListener('resize', function () { tc.resize(); });
    trendEl.dataset.points = String(trend.length);
    document.body.dataset.chartReady = '1';
  }
  // Forms: rows of parties and commitments are added by cloning the last row (values cleared);
  // the field a refused form names is marked and focused.
  Array.prototype.forEach.call(document.querySelectorAll('.pt-add-row'), function (btn) {
    btn.addEventListener('click', function () {
      var box = document.getElementById(btn.dataset.rows);
      var rows = box.querySelectorAll('.pt-row');
      var max = parseInt(box.dataset.max || '50', 10);
      if (!rows.length || rows.length >= max) return;
      var row = rows[rows.length - 1].cloneNode(true);
      Array.prototype.forEach.call(row.querySelectorAll('input'), function (i) { i.value = ''; i.removeAttribute('aria-invalid'); });
      box.insertBefore(row, btn);
      var first = row.querySelector('input');
      if (first) first.focus();
      if (rows.length + 1 >= max) btn.disabled = true;
    });
  });
  var err = document.querySelector('.error[data-field]');
  if (err && err.dataset.field) {
    var f = err.dataset.field, name = f, nth = 0;
    var m = /^([a-z_]+)\[(\d+)\](?:\.([a-z_]+))?$/.exec(f);
    if (m) {
      nth = parseInt(m[2], 10);
      name = m[1] === 'parties' ? 'party' : m[1] === 'commitments' ? 'commitment_' + (m[3] || 'text') : m[1] === 'links' ? 'links' : m[1];
      if (m[1] === 'links') nth = 0;
    }
    var fields = document.querySelectorAll('main [name="' + name.replace(/[^a-z_]/g, '') + '"]');
    var bad = fields[nth] || fields[0];
    if (bad) {
      bad.setAttribute('aria-invalid', 'true');
      for (var p = bad.parentNode; p; p = p.parentNode) { if (p.tagName === 'DETAILS') p.open = true; }
      bad.focus();
    }
  }

  // The network site form: a click on the map sets the latitude and longitude.
  var pickEl = document.getElementById('pt-pick-map');
  if (pickEl && window.L) {
    var latIn = document.querySelector('#pt-site-form [name=lat]'), lngIn = document.querySelector('#pt-site-form [name=lng]');
    var lat0 = parseFloat(latIn.value), lng0 = parseFloat(lngIn.value);
    var has = isFinite(lat0) && isFinite(lng0);
    var pmap = newMap(pickEl, has ? [lat0, lng0] : [31.215, 121.37]);
    var pin = has ? L.circleMarker([lat0, lng0], { radius: 8, color: '#c0392b' }).addTo(pmap) : null;
    pmap.on('click', function (e) {
      latIn.value = e.latlng.lat.toFixed(6);
      lngIn.value = e.latlng.lng.toFixed(6);
      if (pin) pin.setLatLng(e.latlng); else pin = L.circleMarker(e.latlng, { radius: 8, color: '#c0392b' }).addTo(pmap);
    });
    pickEl.dataset.ready = '1';
  }
})();
