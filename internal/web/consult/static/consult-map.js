// The consultations on a map: one point per consultation with a place, coloured by status, its
// title as the tooltip (text, never HTML); a click opens it. Staff maps draw the town's grids
// (mapbase.js); the portal's map shows the points on the tiles, if any.
(function () {
  'use strict';
  var el = document.getElementById('cs-map');
  if (!el || !window.L) return;
  var pins = [];
  try { pins = JSON.parse(document.getElementById('cs-pins').textContent || '[]') || []; } catch (e) { pins = []; }
  var colour = { open: '#1a7f37', scheduled: '#2f6fb0', closed: '#8c959f', decided: '#8e44ad', draft: '#bf8700' };
  var map = L.map(el, { zoomControl: true }).setView([31.212, 121.38], 14);
  function ready() { document.body.dataset.mapReady = '1'; }
  var base = null;
  if (window.cg && cg.basemap && !el.dataset.public) {
    base = cg.basemap(map, { town: el.dataset.town, lang: el.dataset.lang || 'zh', tiles: el.dataset.tiles, grids: true });
  } else {
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: cg.esc(el.dataset.attribution || '') }).addTo(map);
    // The public map: the grids of the towns (the report form's public outlines) under the points.
    base = fetch('/report/areas').then(function (r) { return r.ok ? r.json() : null; }).then(function (fc) {
      if (!fc) return {};
      var layer = L.geoJSON(fc, { style: { color: '#4363d8', weight: 1.2, fillColor: '#4363d8', fillOpacity: 0.05 },
        onEachFeature: function (f, lyr) { lyr.bindTooltip(cg.el('span', null, f.properties.name), { sticky: true }); } }).addTo(map);
      layer.bringToBack();
      return { bounds: layer.getBounds().isValid() ? layer.getBounds() : null };
    });
  }
  var group = L.featureGroup().addTo(map);
  pins.forEach(function (p) {
    L.circleMarker([p.lat, p.lng], { radius: 11, color: '#1b1f24', weight: 2.5, fillColor: colour[p.status] || '#555', fillOpacity: 0.95, className: 'cs-pin cs-pin-' + p.status })
      .bindTooltip(cg.el('span', null, p.title, cg.el('br'), p.label))
      .on('click', function () { location.href = p.href; })
      .addTo(group);
  });
  if (pins.length) map.fitBounds(group.getBounds(), { padding: [30, 30], maxZoom: 16 });
  el.dataset.pins = String(pins.length);
  if (base) base.then(function (b) { if (!pins.length && b.bounds) map.fitBounds(b.bounds); ready(); }, ready);
  else ready();
})();
