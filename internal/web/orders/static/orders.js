// Order pages: the mini maps (list pins, one order's pin, the location picker) and the action
// tabs that show one action form at a time. Without JavaScript the forms still work.
(function () {
  function baseMap(el) {
    var map = L.map(el).setView([31.215, 121.38], 14);
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
    // Residents may not list grids with their members; the public outlines serve their maps.
    var town = el.dataset.town ? '?town=' + encodeURIComponent(el.dataset.town) : '';
    fetch('/api/v1/grids', { credentials: 'same-origin' }).then(function (r) {
      return r.ok ? r.json() : fetch('/report/areas' + town).then(function (r2) { return r2.ok ? r2.json() : null; });
    }).then(function (fc) {
      if (!fc) return;
      var layer = L.geoJSON(fc, { style: { color: '#4363d8', weight: 1, fillOpacity: 0.06 } }).addTo(map);
      if (!el.dataset.fitted && fc.features && fc.features.length) map.fitBounds(layer.getBounds());
    });
    return map;
  }
  var colors = { received: '#6b7785', filed: '#1f6feb', dispatched: '#8250df', in_progress: '#bf8700', handled: '#0a7ea4', closed: '#1a7f37', rated: '#1a7f37', rejected: '#999', merged: '#999' };
  var list = document.getElementById('orders-map');
  if (list) {
    var map = baseMap(list);
    var pins = [];
    try { pins = JSON.parse(document.getElementById('pins-data').textContent) || []; } catch (e) { pins = []; }
    var group = [];
    pins.forEach(function (p) {
      var m = L.circleMarker([p.lat, p.lng], { radius: 6, color: p.overdue ? '#c0392b' : '#fff', weight: p.overdue ? 3 : 1, fillColor: colors[p.state] || '#333', fillOpacity: 0.9 })
        .bindTooltip(cg.el('span', null, p.number + ' ' + (p.category || ''))).on('click', function () { location.href = '/orders/' + p.id; }).addTo(map);
      group.push(m);
    });
    var fit = function () { if (group.length) { list.dataset.fitted = '1'; map.fitBounds(L.featureGroup(group).getBounds().pad(0.2), { maxZoom: 15 }); } };
    fit();
    // The map beside the list folds away; the choice is remembered (orders-list.js applies it
    // before the page is drawn).
    var toggle = document.getElementById('map-toggle'), root = document.documentElement;
    if (toggle) {
      var label = function () {
        var off = root.classList.contains('orders-map-off');
        toggle.textContent = off ? toggle.dataset.show : toggle.dataset.hide;
        toggle.setAttribute('aria-expanded', off ? 'false' : 'true');
      };
      toggle.hidden = false;
      // A narrow window where the list does not fit beside the map: fold the map for this
      // page, unless the user has chosen (the choice is not stored).
      var box = document.querySelector('.table-scroll');
      var pref = null;
      try { pref = localStorage.getItem('cg.ordersMap'); } catch (e) { /* no storage */ }
      if (!pref && box && box.scrollWidth > box.clientWidth + 1) root.classList.add('orders-map-off');
      label();
      toggle.addEventListener('click', function () {
        var off = root.classList.toggle('orders-map-off');
        try { localStorage.setItem('cg.ordersMap', off ? 'hidden' : 'shown'); } catch (e) { /* not remembered */ }
        label();
        if (!off) { map.invalidateSize(); fit(); }
      });
    }
  }
  // On a phone the filters fold behind their 筛选 button; the server sends them open, so that
  // they work without JavaScript and on a desk.
  var filters = document.querySelector('details.filters-box');
  if (filters && window.matchMedia('(max-width: 720px)').matches) filters.open = false;
  var one = document.getElementById('order-map');
  if (one) {
    var pin = JSON.parse(one.dataset.pin);
    one.dataset.fitted = '1';
    var m1 = baseMap(one);
    m1.setView([pin.lat, pin.lng], 16, { animate: false });
    L.marker([pin.lat, pin.lng]).addTo(m1);
  }
  var pick = document.getElementById('pick-map');
  if (pick) {
    var m2 = baseMap(pick), marker = null;
    var lat = document.getElementById('lat'), lng = document.getElementById('lng');
    function set(ll) { if (marker) marker.setLatLng(ll); else marker = L.marker(ll).addTo(m2); lat.value = ll.lat.toFixed(6); lng.value = ll.lng.toFixed(6); }
    m2.on('click', function (e) { set(e.latlng); });
    if (lat.value && lng.value) set(L.latLng(+lat.value, +lng.value));
  }
  var tabs = document.querySelectorAll('.action-tab');
  function show(id) {
    document.querySelectorAll('.action-form').forEach(function (f) { f.hidden = f.id !== id; });
    tabs.forEach(function (t) { t.classList.toggle('active', t.dataset.target === id); });
  }
  tabs.forEach(function (t) { t.addEventListener('click', function () { show(t.dataset.target); }); });
  // The page opens on the form the server marked (the first that is not destructive); a role whose
  // only actions are destructive picks one first.
  var active = document.querySelector('.action-tab.active');
  if (active) show(active.dataset.target);
})();
