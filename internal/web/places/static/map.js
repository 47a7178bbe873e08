// The grid map: polygons from /api/v1/grids over an optional tile layer, with the offline base
// map (mapbase.js: town outlines, grid names, committees, landmarks, legend) under them, so that
// without a tile server the map still says where things are. The view fits every town the user
// sees (a city account's towns lie far apart); labels thin out by zoom.
(function () {
  var el = document.getElementById('map');
  if (!el) return;
  var zh = el.dataset.lang !== 'en';
  var palette = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#9a6324', '#469990', '#808000', '#000075', '#bfef45'];
  var map = L.map(el, { zoomControl: true, preferCanvas: false, zoomSnap: 0.25 }).setView([31.215, 121.38], 14);
  if (el.dataset.tiles) {
    // Leaflet shows the attribution as HTML; the operator's text is shown as text.
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: cg.esc(el.dataset.attribution || '') }).addTo(map);
  }
  var roleNames = { leader: zh ? '网格长' : 'Leader', deputy: zh ? '副网格长' : 'Deputy', liaison: zh ? '联络员' : 'Liaison', member: zh ? '成员' : 'Member' };
  var h = cg.el;
  // detail is the side panel of one grid: its name, code, town and members, all as text.
  function detail(p) {
    return [h('h3', null, p.name), h('p', { class: 'muted' }, h('code', null, p.code), ' · ', p.town_code),
      h('table', null, (p.members || []).map(function (m) {
        return h('tr', null, h('td', null, m.name), h('td', null, roleNames[m.grid_role] || m.grid_role), h('td', null, m.department_name || m.department));
      }))];
  }
  fetch('/api/v1/grids', { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (fc) {
    var list = document.getElementById('grid-list');
    var detailEl = document.getElementById('grid-detail');
    var i = 0;
    var layer = L.geoJSON(fc, {
      style: function () { var c = palette[i++ % palette.length]; return { color: c, weight: 2, fillColor: c, fillOpacity: 0.18, className: 'grid-polygon' }; },
      onEachFeature: function (f, lyr) {
        var color = palette[(list.children.length) % palette.length];
        lyr.bindTooltip(h('span', null, f.properties.name), { sticky: true });
        lyr.on('click', function () { cg.fill(detailEl, detail(f.properties)); });
        var li = h('li', { data: { code: f.properties.code } }, h('span', { class: 'swatch', style: { background: color } }), f.properties.name, ' ',
          h('small', { class: 'muted' }, (f.properties.members || []).length + (zh ? ' 人' : ' members')));
        li.addEventListener('click', function () { map.fitBounds(lyr.getBounds(), { padding: [24, 24] }); cg.fill(detailEl, detail(f.properties)); });
        list.appendChild(li);
      }
    }).addTo(map);
    if (fc.features && fc.features.length) map.fitBounds(layer.getBounds(), { padding: [10, 10], animate: false });
    el.dataset.grids = String(fc.features ? fc.features.length : 0);
    var places = [];
    try { places = JSON.parse(document.getElementById('places-data').textContent || '[]') || []; } catch (e) { places = []; }
    return cg.basemap(map, { lang: zh ? 'zh' : 'en', tiles: el.dataset.tiles, grids: false, landmarks: places, note: false });
  }).then(function () {
    document.body.dataset.mapReady = '1';
  }).catch(function (e) { el.dataset.error = String(e); document.body.dataset.mapReady = 'error'; });
})();
