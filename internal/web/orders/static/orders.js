// Order pages: the mini maps (list pins, one order's pin, the location picker) over the offline
// base map (mapbase.js, when the page loads it), the action tabs that show one action form at a
// time, and the dispatch form's pickers: a filter over the grouped lead departments, the
// co-handlers as a filtered checklist with chips, and the category's preset lead department.
// Without JavaScript the forms still work.
(function () {
  var h = cg.el;
  function baseMap(el) {
    var map = L.map(el).setView([31.215, 121.38], 14);
    // Leaflet shows the attribution as HTML; the operator's text is shown as text.
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: cg.esc(el.dataset.attribution || '') }).addTo(map);
    var town = el.dataset.town || '';
    if (cg.basemap) {
      // The product's own geography: town outline, grids and their names, committees, landmarks.
      cg.basemap(map, { town: town, lang: document.documentElement.lang === 'en' ? 'en' : 'zh', tiles: el.dataset.tiles }).then(function (b) {
        if (!el.dataset.fitted && b.bounds) map.fitBounds(b.bounds, { padding: [8, 8] });
        el.dataset.ready = '1';
      });
      return map;
    }
    // Residents may not list grids with their members; the public outlines serve their maps.
    var q = town ? '?town=' + encodeURIComponent(town) : '';
    fetch('/api/v1/grids', { credentials: 'same-origin' }).then(function (r) {
      return r.ok ? r.json() : fetch('/report/areas' + q).then(function (r2) { return r2.ok ? r2.json() : null; });
    }).then(function (fc) {
      if (!fc) return;
      var layer = L.geoJSON(fc, { style: { color: '#4363d8', weight: 1, fillOpacity: 0.06 } }).addTo(map);
      if (!el.dataset.fitted && fc.features && fc.features.length) map.fitBounds(layer.getBounds());
      el.dataset.ready = '1';
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
        .bindTooltip(h('span', null, p.number + ' ' + (p.category || ''))).on('click', function () { location.href = '/orders/' + p.id; }).addTo(map);
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
  // A district's or the city's list: choosing a town reloads the form with that town's grids,
  // categories and departments (the server sends them for one town only); another town's
  // choices would select nothing, so they are dropped.
  var townPick = document.querySelector('form.filters select[name="town"]');
  if (townPick) {
    townPick.addEventListener('change', function () {
      ['grid', 'category', 'department'].forEach(function (name) {
        var el = townPick.form.elements[name];
        if (el) el.value = '';
      });
      townPick.form.submit();
    });
  }
  var one = document.getElementById('order-map');
  if (one) {
    var pin = JSON.parse(one.dataset.pin);
    one.dataset.fitted = '1';
    var m1 = baseMap(one);
    m1.setView([pin.lat, pin.lng], 16, { animate: false });
    L.marker([pin.lat, pin.lng], { zIndexOffset: 1000 }).addTo(m1);
  }
  var pick = document.getElementById('pick-map');
  if (pick) {
    var m2 = baseMap(pick), marker = null;
    var lat = document.getElementById('lat'), lng = document.getElementById('lng');
    function set(ll) { if (marker) marker.setLatLng(ll); else marker = L.marker(ll, { zIndexOffset: 1000 }).addTo(m2); lat.value = ll.lat.toFixed(6); lng.value = ll.lng.toFixed(6); }
    m2.on('click', function (e) { set(e.latlng); });
    if (lat.value && lng.value) { pick.dataset.fitted = '1'; set(L.latLng(+lat.value, +lng.value)); m2.setView(marker.getLatLng(), 16, { animate: false }); }
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

  // match: every word of the filter is in the text (case-insensitive), so "新泾 派出" finds 新泾派出所.
  function match(text, q) {
    text = text.toLowerCase();
    return q.toLowerCase().split(/\s+/).every(function (w) { return !w || text.indexOf(w) >= 0; });
  }

  // The lead department: the filter box hides the options (and groups) it does not match; when
  // one option is left, it is chosen.
  document.querySelectorAll('.dept-picker').forEach(function (label) {
    var input = label.querySelector('.picker-filter'), select = label.querySelector('select');
    if (!input || !select) return;
    input.addEventListener('input', function () {
      var q = input.value.trim(), left = [];
      select.querySelectorAll('optgroup').forEach(function (g) {
        var any = false;
        g.querySelectorAll('option').forEach(function (o) {
          var ok = match(o.textContent + ' ' + g.label, q);
          o.hidden = !ok;
          if (ok) { any = true; left.push(o); }
        });
        g.hidden = !any;
      });
      if (q && left.length === 1 && select.value !== left[0].value) {
        select.value = left[0].value;
        select.dispatchEvent(new Event('change', { bubbles: true }));
      }
    });
    input.addEventListener('keydown', function (e) { if (e.key === 'Enter') e.preventDefault(); });
  });

  // The co-handlers: a checklist with a filter box; the ticked ones show as chips above it.
  document.querySelectorAll('.co-picker').forEach(function (box) {
    var input = box.querySelector('.picker-filter'), chips = box.querySelector('.chips'), count = box.querySelector('.co-count');
    var checks = Array.prototype.slice.call(box.querySelectorAll('input[type=checkbox]'));
    var fmt = count ? count.dataset.format : '';
    function draw() {
      var on = checks.filter(function (c) { return c.checked; });
      cg.fill(chips, on.map(function (c) {
        var name = c.parentNode.textContent.trim();
        var x = h('button', { type: 'button', 'aria-label': (box.dataset.remove || '×') + ' ' + name }, '×');
        x.addEventListener('click', function () { c.checked = false; draw(); });
        return h('span', { class: 'chip', data: { code: c.value } }, name, x);
      }));
      if (count) count.textContent = on.length ? (fmt || '%d').replace('%d', on.length) : '';
    }
    checks.forEach(function (c) { c.addEventListener('change', draw); });
    if (input) {
      input.addEventListener('input', function () {
        var q = input.value.trim();
        box.querySelectorAll('.check-group').forEach(function (g) {
          var label = g.querySelector('.check-group-label'), any = false;
          g.querySelectorAll('label.check').forEach(function (l) {
            var ok = match(l.textContent + ' ' + (label ? label.textContent : ''), q);
            l.hidden = !ok;
            if (ok) any = true;
          });
          if (label) label.hidden = !any;
        });
      });
      input.addEventListener('keydown', function (e) { if (e.key === 'Enter') e.preventDefault(); });
    }
    draw();
  });

  // The category's preset: choosing a category presets the lead department (and the co-handlers
  // a dispatch rule names) from the town's table (data-leads), unless the dispatcher has chosen
  // them, and says why.
  document.querySelectorAll('form[data-leads]').forEach(function (form) {
    var leads = {};
    try { leads = JSON.parse(form.dataset.leads) || {}; } catch (e) { leads = {}; }
    var cat = form.querySelector('select[name=category]'), dept = form.querySelector('select[name=department]');
    var note = form.querySelector('.lead-note');
    var checks = Array.prototype.slice.call(form.querySelectorAll('.co-picker input[type=checkbox]'));
    if (!cat || !dept) return;
    var chosen = false, coChosen = false, presetting = false;
    dept.addEventListener('change', function () {
      if (presetting) return;
      chosen = true;
      if (note) note.hidden = true;
    });
    checks.forEach(function (c) { c.addEventListener('change', function () { if (!presetting) coChosen = true; }); });
    cat.addEventListener('change', function () {
      var lead = leads[cat.value];
      if (!lead) return;
      presetting = true;
      if (!chosen) {
        dept.value = lead.department;
        dept.dispatchEvent(new Event('change', { bubbles: true }));
        if (note) {
          note.textContent = note.dataset['reason' + lead.reason.charAt(0).toUpperCase() + lead.reason.slice(1)] || '';
          note.hidden = !note.textContent;
          note.dataset.department = lead.department;
        }
      }
      if (!coChosen) {
        var co = lead.co || [];
        checks.forEach(function (c) {
          var on = co.indexOf(c.value) >= 0;
          if (c.checked !== on) { c.checked = on; c.dispatchEvent(new Event('change', { bubbles: true })); }
        });
      }
      presetting = false;
    });
  });

  // The new-order form: the category's preset lead department, shown for the dispatcher (the
  // order page dispatches).
  document.querySelectorAll('.new-lead[data-leads]').forEach(function (note) {
    var leads = {};
    try { leads = JSON.parse(note.dataset.leads) || {}; } catch (e) { leads = {}; }
    var cat = note.closest('form').querySelector('select[name=category]');
    if (!cat) return;
    function draw() {
      var lead = leads[cat.value];
      if (!lead) { note.hidden = true; return; }
      var why = note.dataset['reason' + lead.reason.charAt(0).toUpperCase() + lead.reason.slice(1)] || '';
      cg.fill(note, note.dataset.label, document.documentElement.lang === 'en' ? ': ' : '：', h('b', null, lead.department), ' · ', why);
      note.hidden = false;
    }
    cat.addEventListener('change', draw);
    draw();
  });

  // Smart dispatch: "use" puts a suggested category into the action forms' category pickers
  // (which presets the lead department as a manual choice would) and shows the file form.
  document.querySelectorAll('.suggest-use').forEach(function (b) {
    b.addEventListener('click', function () {
      var code = b.dataset.category;
      document.querySelectorAll('.action-form select[name="category"]').forEach(function (sel) {
        if (![].some.call(sel.options, function (o) { return o.value === code; })) return;
        sel.value = code;
        sel.dispatchEvent(new Event('change', { bubbles: true }));
      });
      document.querySelectorAll('#suggest li').forEach(function (li) { li.classList.toggle('used', li.dataset.category === code); });
      var form = document.querySelector('.action-form:not([hidden]) select[name="category"]');
      if (form) form.focus();
    });
  });
})();
