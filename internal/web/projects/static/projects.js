// projects.js: the livelihood-project pages. The proposals map (pins coloured by status), the
// place picker of the proposal form, the result chart (ECharts bars of yes votes with the pass
// line and the seat cut) and the phone ballot's seat limit. Titles are typed by users: every
// label, tooltip and axis text is text (cg.el), never HTML.
(function () {
  'use strict';
  var h = cg.el;
  var data = cg.data;
  // Not the base map's colours (grids blue, committees green, landmarks orange).
  var statusColour = { open: '#7b2cbf', accepted: '#d6336c', declined: '#57606a', merged: '#bbbbbb' };

  function baseMap(el) {
    var map = L.map(el, { zoomControl: true }).setView([31.215, 121.375], 14);
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: cg.esc(el.dataset.attribution || '') }).addTo(map);
    return map;
  }

  // Public pages have no base-map API (it needs a sign-in): the public grid outlines do.
  function publicGrids(map, town) {
    return fetch('/report/areas?town=' + encodeURIComponent(town || ''), { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; }).then(function (fc) {
        if (!fc) return null;
        var layer = L.geoJSON(fc, { style: { color: '#4363d8', weight: 1.5, fillOpacity: 0.05 },
          onEachFeature: function (f, lyr) { lyr.bindTooltip(h('span', null, f.properties.name), { sticky: true }); } }).addTo(map);
        return layer.getBounds();
      });
  }

  function grids(map, el) {
    if (el.dataset.public === '1' || !cg.basemap) return publicGrids(map, el.dataset.town);
    return cg.basemap(map, { town: el.dataset.town, lang: el.dataset.lang, tiles: el.dataset.tiles }).then(function (b) { return b.bounds; });
  }

  // The proposals map of the list and proposal pages.
  var mapEl = document.getElementById('pj-map');
  if (mapEl && window.L) {
    var map = baseMap(mapEl);
    var pins = data('pj-pins') || [];
    var group = [];
    // The pins go on after the base map, so that they are drawn above its marks.
    grids(map, mapEl).then(function (bounds) {
      pins.forEach(function (p) {
        var m = L.circleMarker([p.lat, p.lng], { radius: 8 + Math.min(8, Math.sqrt(p.supports || 0) * 2), color: '#fff', weight: 2,
          fillColor: statusColour[p.status] || '#7b2cbf', fillOpacity: 0.95, className: 'pj-pin pj-pin-' + p.status })
          .bindTooltip(h('span', null, '#' + p.id + ' ' + p.title + ' · ' + (mapEl.dataset.supports || '') + ' ' + (p.supports || 0)))
          .on('click', function () { location.href = '/projects/proposals/' + p.id; })
          .addTo(map);
        group.push(m.getLatLng());
      });
      if (pins.length === 1) map.setView(group[0], 16);
      else if (group.length) map.fitBounds(L.latLngBounds(group), { padding: [30, 30], maxZoom: 16 });
      else if (bounds) map.fitBounds(bounds);
      mapEl.dataset.pins = String(pins.length);
      document.body.dataset.mapReady = '1';
    }).catch(function (e) { mapEl.dataset.error = String(e); document.body.dataset.mapReady = 'error'; });
  }

  // The place picker of the proposal form: a tap sets the point.
  var pick = document.getElementById('pj-pick');
  if (pick && window.L) {
    var pmap = baseMap(pick);
    var lat = document.getElementById('pj-lat'), lng = document.getElementById('pj-lng');
    var marker = null;
    function put(ll) {
      if (marker) marker.setLatLng(ll); else marker = L.marker(ll).addTo(pmap);
      lat.value = ll.lat.toFixed(6);
      lng.value = ll.lng.toFixed(6);
    }
    if (lat.value && lng.value) put(L.latLng(parseFloat(lat.value), parseFloat(lng.value)));
    pmap.on('click', function (e) { put(e.latlng); });
    grids(pmap, pick).then(function (bounds) {
      if (marker) pmap.setView(marker.getLatLng(), 16); else if (bounds) pmap.fitBounds(bounds);
      document.body.dataset.mapReady = '1';
    }).catch(function () { document.body.dataset.mapReady = 'error'; });
  }

  // The result chart: yes votes per candidate, the pass line (more than half) and the seat cut.
  var chartEl = document.getElementById('pj-chart');
  var cd = data('pj-chart-data');
  if (chartEl && cd && window.echarts) {
    var bars = cd.bars || [];
    var seatsIn = Math.min(cd.seats, bars.length);
    var chart = echarts.init(chartEl, null, { renderer: 'svg' });
    chart.setOption({
      animation: false,
      tooltip: { trigger: 'axis', formatter: cg.axisTooltip },
      grid: { left: 120, right: 30, top: 28, bottom: 30 },
      yAxis: { type: 'category', inverse: true, data: bars.map(function (b) { return b.title; }),
        axisLabel: { width: 110, overflow: 'truncate', fontSize: 11 } },
      xAxis: { type: 'value', minInterval: 1 },
      series: [{
        name: cd.labels.yes, type: 'bar',
        data: bars.map(function (b) { return { value: b.yes, itemStyle: { color: b.outcome === 'chosen' ? '#1a7f37' : (b.outcome === 'tie' ? '#bf8700' : '#b8c2cc') } }; }),
        label: { show: true, position: 'right', fontSize: 11 },
        markLine: { symbol: 'none', silent: true, data: [
          { xAxis: cd.threshold, lineStyle: { color: '#c0392b', type: 'dashed' }, label: { formatter: cd.labels.pass + ' ' + cd.threshold, position: 'start' } }
        ] },
        // The seat cut: the rows within the seats, most yes first, shaded.
        markArea: seatsIn > 0 ? { silent: true, itemStyle: { color: 'rgba(26,127,55,0.07)' },
          label: { formatter: cd.labels.inside + ' ' + cd.seats, position: 'insideTopRight', color: '#1a7f37' },
          data: [[{ yAxis: bars[0].title }, { yAxis: bars[seatsIn - 1].title }]] } : undefined
      }]
    });
    window.addEventListener('resize', function () { chart.resize(); });
    chartEl.dataset.bars = String(bars.length);
    document.body.dataset.chartReady = '1';
  }

  // The phone ballot: count the yes choices and refuse more than the seats before sending (the
  // server refuses them too).
  var ballot = document.getElementById('pj-ballot');
  if (ballot) {
    var seats = parseInt(ballot.dataset.seats, 10) || 0;
    var count = document.getElementById('pj-yes-count');
    var over = document.getElementById('pj-over');
    var cast = document.getElementById('pj-cast');
    function yeses() { return ballot.querySelectorAll('input[value="yes"]:checked').length; }
    function update() {
      var n = yeses();
      count.textContent = String(n);
      var bad = n > seats;
      over.hidden = !bad;
      cast.disabled = bad;
      ballot.classList.toggle('pj-is-over', bad);
      Array.prototype.forEach.call(ballot.querySelectorAll('.pj-cand'), function (f) {
        var c = f.querySelector('input:checked');
        f.dataset.choice = c ? c.value : '';
      });
    }
    ballot.addEventListener('change', function (e) {
      if (e.target && e.target.value === 'yes' && yeses() > seats) {
        // Refuse the over-seat yes at once: the choice goes back to none.
        e.target.checked = false;
        over.hidden = false;
        count.textContent = String(yeses());
        ballot.classList.add('pj-flash');
        setTimeout(function () { ballot.classList.remove('pj-flash'); }, 600);
        return;
      }
      update();
    });
    ballot.addEventListener('submit', function (e) { if (yeses() > seats) { e.preventDefault(); update(); } });
    update();
  }
})();
