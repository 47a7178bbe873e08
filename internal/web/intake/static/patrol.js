// Phone report forms: /patrol (grid workers, 巡查上报) and /report (residents, 市民随手拍).
//
// Both: photo previews, the position from the device or a tap on the map, and a draft of the
// text fields in localStorage so that a reload keeps what was typed.
//
// /patrol only: the form is sent with fetch. When the phone is offline, or the request fails on
// the way, the report — fields and photo Blobs — waits in an IndexedDB outbox (localStorage is
// too small for photos) and is sent on the `online` event, on page load and every 30 s. Every
// report carries a client_id (a random UUID) that the server keeps as the order's external id, so
// a retry after a lost answer finds the order made the first time instead of making a second.
// Without JavaScript both forms post normally.
(function () {
  'use strict';
  var form = document.getElementById('patrol-form') || document.getElementById('report-form');
  if (!form) return;
  var patrol = form.id === 'patrol-form';
  var zh = document.documentElement.lang !== 'en';
  function $(id) { return document.getElementById(id); }
  function t(zhText, enText) { return zh ? zhText : enText; }

  // ---- draft of the text fields ----
  var draftKey = 'cg-draft:' + form.id;
  var draftFields = ['content', 'address', 'category', 'lat', 'lng', 'result', 'self_handle', 'client_id', 'town', 'caller_name', 'caller_phone'];
  function field(name) { return form.elements[name]; }
  function saveDraft() {
    var d = {};
    draftFields.forEach(function (n) {
      var el = field(n);
      if (el) d[n] = el.type === 'checkbox' ? el.checked : el.value;
    });
    try { localStorage.setItem(draftKey, JSON.stringify(d)); } catch (e) { /* private mode: no draft */ }
  }
  function clearDraft() { try { localStorage.removeItem(draftKey); } catch (e) { /* ignore */ } }
  function restoreDraft() {
    var d;
    try { d = JSON.parse(localStorage.getItem(draftKey) || 'null'); } catch (e) { d = null; }
    if (!d || form.querySelector('.bad')) return; // a refused submission shows what the server got back
    draftFields.forEach(function (n) {
      var el = field(n);
      if (!el || d[n] === undefined) return;
      if (el.type === 'checkbox') el.checked = !!d[n];
      else if (!el.value) el.value = d[n];
    });
  }
  restoreDraft();
  form.addEventListener('input', saveDraft);
  form.addEventListener('change', saveDraft);

  // ---- photos ----
  var photos = $('photos'), previews = $('previews');
  function showPreviews(files) {
    previews.textContent = '';
    Array.prototype.forEach.call(files || [], function (f) {
      var img = document.createElement('img');
      img.alt = f.name;
      img.src = URL.createObjectURL(f);
      previews.appendChild(img);
    });
  }
  photos.addEventListener('change', function () { showPreviews(photos.files); });

  // ---- location: device or map ----
  var lat = $('lat'), lng = $('lng'), locText = $('loc-text'), mapEl = $('pick-map'), map = null, marker = null;
  function setLoc(la, ln, how) {
    lat.value = la.toFixed(6);
    lng.value = ln.toFixed(6);
    // A resident reads where, not coordinates; a grid worker checks the numbers.
    locText.textContent = patrol ? lat.value + ', ' + lng.value + (how ? ' · ' + how : '')
      : t('已在地图上标出位置', 'Location set on the map') + (how ? ' · ' + how : '');
    locText.dataset.set = '1';
    if (map) {
      var ll = L.latLng(la, ln);
      if (marker) marker.setLatLng(ll); else marker = L.marker(ll).addTo(map);
    }
    saveDraft();
  }
  function clearLoc() {
    lat.value = lng.value = '';
    locText.textContent = t('点击地图可设置位置', 'Tap the map to set the location');
    if (marker) { marker.remove(); marker = null; }
  }
  function areas(url) {
    // The outlines are kept for offline use: a patrol goes where the signal does not.
    var key = 'cg-areas:' + url;
    return fetch(url, { credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    }).then(function (fc) {
      try { localStorage.setItem(key, JSON.stringify(fc)); } catch (e) { /* too big: no offline copy */ }
      return fc;
    }).catch(function () {
      try { return JSON.parse(localStorage.getItem(key) || 'null'); } catch (e) { return null; }
    });
  }
  if (mapEl && window.L) {
    map = L.map(mapEl, { zoomControl: true }).setView([31.215, 121.38], 13);
    if (mapEl.dataset.tiles) L.tileLayer(mapEl.dataset.tiles, { maxZoom: 19 }).addTo(map);
    areas(mapEl.dataset.areas).then(function (fc) {
      if (fc && fc.features && fc.features.length) {
        var own = null, town = mapEl.dataset.town, townBounds = null;
        var layer = L.geoJSON(fc, {
          style: function (f) {
            var mine = f.properties.code === mapEl.dataset.grid;
            return { color: mine ? '#c0392b' : '#4363d8', weight: mine ? 2 : 1, fillOpacity: mine ? 0.12 : 0.06 };
          },
          onEachFeature: function (f, l) {
            l.bindTooltip(cg.el('span', null, f.properties.name), { sticky: true });
            if (f.properties.code === mapEl.dataset.grid) own = l;
            // The resident's report fits the view to the town it opens with, not every town.
            if (town && f.properties.town_code === town) {
              townBounds = townBounds ? townBounds.extend(l.getBounds()) : L.latLngBounds(l.getBounds().getSouthWest(), l.getBounds().getNorthEast());
            }
          }
        }).addTo(map);
        if (!lat.value) map.fitBounds(own ? own.getBounds() : (townBounds || layer.getBounds()), { padding: [8, 8] });
      }
      mapEl.dataset.ready = '1';
    });
    map.on('click', function (e) { setLoc(e.latlng.lat, e.latlng.lng, t('地图选点', 'from the map')); });
    if (lat.value && lng.value) {
      setLoc(+lat.value, +lng.value);
      map.setView([+lat.value, +lng.value], 16);
    }
  }
  $('locate').addEventListener('click', function () {
    if (!navigator.geolocation) {
      locText.textContent = t('此设备无法定位，请点击地图选点', 'This device cannot locate itself: tap the map');
      return;
    }
    locText.textContent = t('定位中…', 'Locating…');
    navigator.geolocation.getCurrentPosition(function (p) {
      setLoc(p.coords.latitude, p.coords.longitude, t('设备定位 ±', 'device ±') + Math.round(p.coords.accuracy) + ' m');
      if (map) map.setView([p.coords.latitude, p.coords.longitude], 17);
    }, function (err) {
      locText.textContent = t('无法定位（', 'Cannot locate (') + err.message + t('），请点击地图选点', '): tap the map');
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  // ---- self-handling (patrol) ----
  var selfHandle = $('self_handle'), resultField = $('result-field');
  function syncSelfHandle() {
    if (!selfHandle) return;
    resultField.hidden = !selfHandle.checked;
    $('result').required = selfHandle.checked;
  }
  if (selfHandle) selfHandle.addEventListener('change', syncSelfHandle);
  syncSelfHandle();

  var submit = form.querySelector('button[type="submit"]');
  if (!patrol) {
    form.addEventListener('submit', function () {
      clearDraft();
      submit.disabled = true; // one report per tap
    });
    return;
  }

  // ---- patrol: client id, validation, sending, outbox ----
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }
  var clientID = $('client_id');
  if (!clientID.value) clientID.value = uuid();

  var errorBox = null;
  function showError(msg, name) {
    form.querySelectorAll('.bad').forEach(function (el) { el.classList.remove('bad'); });
    if (!errorBox) {
      errorBox = document.createElement('div');
      errorBox.className = 'error';
      errorBox.setAttribute('role', 'alert');
      form.parentNode.insertBefore(errorBox, form);
    }
    errorBox.hidden = !msg;
    errorBox.textContent = msg || '';
    var el = name && field(name);
    if (el && el.closest) {
      var box = el.closest('.field, .check');
      if (box) box.classList.add('bad');
    }
    if (msg) errorBox.scrollIntoView({ block: 'center' });
  }
  function validate() {
    if (!photos.files || !photos.files.length) return showError(t('请至少拍一张现场照片', 'Take at least one photo'), 'photos'), false;
    if (!field('content').value.trim()) return showError(t('请简要描述发现的问题', 'Describe what you found'), 'content'), false;
    if (selfHandle.checked && !field('result').value.trim()) {
      return showError(t('勾选了“已现场处置”，请写明处置结果', 'Self-handled: describe the result'), 'result'), false;
    }
    showError('');
    return true;
  }
  function record() {
    var fields = {};
    ['content', 'address', 'category', 'lat', 'lng', 'result'].forEach(function (n) { fields[n] = field(n).value; });
    fields.self_handle = selfHandle.checked ? '1' : '';
    return {
      client_id: clientID.value, user: form.dataset.user || '', created: Date.now(), fields: fields,
      photos: Array.prototype.slice.call(photos.files || [])
    };
  }
  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : field('csrf').value;
  }
  // send posts one report; it resolves to {ok, order} | {retry, message} | {failed, message, field}.
  function send(rec) {
    var fd = new FormData();
    fd.append('csrf', csrf());
    fd.append('client_id', rec.client_id);
    Object.keys(rec.fields).forEach(function (k) { fd.append(k, rec.fields[k]); });
    rec.photos.forEach(function (p, i) { fd.append('photos', p, p.name || 'photo-' + (i + 1) + '.jpg'); });
    return fetch(form.action, {
      method: 'POST', body: fd, credentials: 'same-origin',
      headers: { 'Accept': 'application/json', 'X-CSRF-Token': csrf() }
    }).then(function (res) {
      var type = res.headers.get('Content-Type') || '';
      if (type.indexOf('application/json') < 0) {
        // Signed out meanwhile (the server sent the sign-in page) or a stale page.
        return { retry: true, message: t('登录已失效：请重新登录，之后自动提交', 'Signed out: sign in again and it is sent') };
      }
      return res.json().then(function (body) {
        if (res.ok) return { ok: true, order: body };
        var e = body.error || {};
        if (res.status >= 500 || res.status === 429 || res.status === 408) return { retry: true, message: e.message };
        return { failed: true, message: e.message || ('HTTP ' + res.status), field: e.field };
      });
    }, function () { return { retry: true }; });
  }

  // IndexedDB outbox, keyed by client_id.
  function db() {
    return new Promise(function (resolve, reject) {
      var rq = indexedDB.open('civicgrid-patrol', 1);
      rq.onupgradeneeded = function () { rq.result.createObjectStore('outbox', { keyPath: 'client_id' }); };
      rq.onsuccess = function () { resolve(rq.result); };
      rq.onerror = function () { reject(rq.error); };
    });
  }
  function store(mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var tx = d.transaction('outbox', mode);
        var rq = fn(tx.objectStore('outbox'));
        tx.oncomplete = function () { d.close(); resolve(rq.result); };
        tx.onerror = tx.onabort = function () { d.close(); reject(tx.error); };
      });
    });
  }
  function pending() {
    return store('readonly', function (s) { return s.getAll(); }).then(function (all) {
      return (all || []).filter(function (r) { return r.user === (form.dataset.user || ''); })
        .sort(function (a, b) { return a.created - b.created; });
    });
  }
  function put(rec) { return store('readwrite', function (s) { return s.put(rec); }); }
  function drop(id) { return store('readwrite', function (s) { return s.delete(id); }); }

  var outbox = $('outbox'), status = $('outbox-status'), list = $('outbox-list'), sent = [];
  function render(recs) {
    var h = cg.el;
    outbox.dataset.pending = String(recs.length);
    outbox.hidden = recs.length === 0 && sent.length === 0;
    outbox.classList.toggle('sent', recs.length === 0);
    status.textContent = recs.length
      ? t('已保存，联网后自动提交 (' + recs.length + ' 条待提交)', 'Saved: sent when back online (' + recs.length + ' waiting)')
      : t('已全部提交 (0 条待提交)', 'All sent (0 waiting)');
    var items = recs.map(function (r) {
      var when = new Date(r.created).toLocaleTimeString(zh ? 'zh-CN' : 'en', { hour: '2-digit', minute: '2-digit' });
      var text = when + ' · ' + r.fields.content.slice(0, 24);
      if (r.error) {
        return h('li', { class: 'failed' }, text + ' — ' + r.error + ' ',
          h('button', { type: 'button', class: 'link', data: { drop: r.client_id } }, t('删除', 'Discard')));
      }
      return h('li', null, text + (r.note ? ' — ' + r.note : ''));
    });
    sent.forEach(function (o) {
      items.push(h('li', { class: 'sent-item' }, t('工单 ', 'Order '), h('a', { href: o.url }, o.number), ' ',
        o.self_handled ? t('已提交并自行处置结案', 'sent and closed') : t('已提交', 'sent')));
    });
    cg.fill(list, items);
  }
  list.addEventListener('click', function (e) {
    var id = e.target.dataset && e.target.dataset.drop;
    if (id) drop(id).then(refresh);
  });
  function refresh() { return pending().then(render); }

  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    flushing = true;
    return pending().then(function (recs) {
      var i = 0;
      function next() {
        if (i >= recs.length) return null;
        var rec = recs[i++];
        return send(rec).then(function (r) {
          if (r.ok) {
            sent.push(r.order);
            return drop(rec.client_id).then(next);
          }
          if (r.failed) {
            rec.error = r.message;
            return put(rec).then(next);
          }
          rec.note = r.message || '';
          return put(rec); // still no way through: stop, try again later
        });
      }
      return next();
    }).catch(function () { /* IndexedDB unavailable: nothing queued */ })
      .then(function () { flushing = false; return refresh(); });
  }

  function resetForm() {
    form.reset();
    previews.textContent = '';
    clearLoc();
    clearDraft();
    clientID.value = uuid();
    syncSelfHandle();
    submit.disabled = false;
  }
  function queue(rec, note) {
    rec.note = note || '';
    return put(rec).then(function () { resetForm(); return refresh(); }, function (err) {
      submit.disabled = false;
      showError(t('无法在手机上保存（', 'Cannot keep the report on this phone (') + err + t('），请联网后再提交', '): submit when online'));
    });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (!validate()) return;
    var rec = record();
    submit.disabled = true;
    if (!navigator.onLine) { queue(rec); return; }
    send(rec).then(function (r) {
      if (r.ok) {
        clearDraft();
        location.href = r.order.url;
        return;
      }
      submit.disabled = false;
      if (r.failed) { showError(r.message, r.field); return; }
      queue(rec, r.message);
    });
  });

  window.addEventListener('online', flush);
  setInterval(flush, 30000);
  flush();

  // Keep this page for visits without a connection (see /sw.js).
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js').catch(function () {});
  }
})();
