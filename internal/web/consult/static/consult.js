// The answer form of a consultation (the portal's, and the grid staff's paper entry): shows a
// conditional question only when its condition holds (the server enforces the same rule), keeps
// a draft in localStorage, and sends the answer as JSON with the form's client id. When the
// phone is offline the finished answer waits in a queue in localStorage and is sent when the
// phone is back online; the client id makes a resend the same answer, counted once. Without
// this script the form posts as a plain form.
(function () {
  'use strict';
  var page = document.getElementById('cs-page');
  var form = document.getElementById('cs-form');
  if (!page) return;
  var h = cg.el;
  var words = {};
  try { words = JSON.parse((document.getElementById('cs-words') || {}).textContent || '{}') || {}; } catch (e) { words = {}; }
  var id = page.dataset.id;
  var paper = page.dataset.paper === '1';
  // Drafts and the queue are per user: a shared phone never sends one worker's forms as another's.
  var user = page.dataset.user || 'anon';
  var draftKey = 'cg.consult.draft.' + user + '.' + id + (paper ? '.paper' : '');
  var queueKey = 'cg.consult.queue.' + user;
  var url = '/api/v1/public/consultations/' + id + '/answers';

  function csrf() { var m = document.querySelector('meta[name="csrf-token"]'); return m ? m.content : ''; }
  function store(k, v) { try { if (v == null) localStorage.removeItem(k); else localStorage.setItem(k, JSON.stringify(v)); } catch (e) { /* private mode */ } }
  function load(k, d) { try { var v = JSON.parse(localStorage.getItem(k) || 'null'); return v == null ? d : v; } catch (e) { return d; } }
  function newClientID() {
    var b = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(b);
    return 'c-' + Array.prototype.map.call(b, function (x) { return ('0' + x.toString(16)).slice(-2); }).join('');
  }
  function say(text, cls) {
    var r = document.getElementById('cs-result');
    if (r) { r.className = cls || ''; cg.fill(r, text || ''); }
  }

  // --- the queue of finished answers (paper forms, and any answer sent while offline) ---
  function queue() { return load(queueKey, []); }
  function showQueue() {
    var box = document.getElementById('cs-queue');
    if (!box) return;
    var q = queue().filter(function (x) { return x.consultation === id; });
    box.hidden = false;
    cg.fill(document.getElementById('cs-queue-n'), String(q.length));
    box.dataset.pending = String(q.length);
    var net = document.getElementById('cs-net');
    cg.fill(net, navigator.onLine ? '' : (words.offline || 'offline'));
    net.hidden = navigator.onLine;
    cg.fill(document.getElementById('cs-queue-list'), q.map(function (x) {
      return h('li', { class: x.error ? 'cs-failed' : '' }, new Date(x.at).toLocaleTimeString(document.documentElement.lang || undefined), ' · ', x.error ? (words.failed || 'refused') + ': ' + x.error : (words.queued || 'queued'));
    }));
  }
  function enqueue(body) {
    var q = queue();
    if (!q.some(function (x) { return x.body.client_id === body.client_id; })) {
      q.push({ consultation: id, url: url, body: body, at: Date.now() });
      store(queueKey, q);
    }
    showQueue();
  }
  function post(u, body) {
    return fetch(u, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf(), 'Accept': 'application/json' },
      body: JSON.stringify(body)
    });
  }
  var flushing = false;
  // flush sends the queued answers in order; it stops at the first network failure. A refused
  // answer (4xx) stays listed with the reason, so the worker can correct the paper form.
  function flush() {
    if (flushing || !navigator.onLine) { showQueue(); return Promise.resolve(); }
    var q = queue().filter(function (x) { return !x.error; });
    if (!q.length) { showQueue(); return Promise.resolve(); }
    flushing = true;
    var item = q[0];
    return post(item.url, item.body).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (j) {
        var all = queue();
        if (res.ok) {
          all = all.filter(function (x) { return x.body.client_id !== item.body.client_id; });
          say(words.sent || 'sent', 'cs-ok');
        } else if (res.status >= 400 && res.status < 500 && res.status !== 429 && res.status !== 403) {
          all.forEach(function (x) { if (x.body.client_id === item.body.client_id) x.error = (j.error && j.error.message) || String(res.status); });
        } else {
          throw new Error('retry later');
        }
        store(queueKey, all);
        flushing = false;
        return flush();
      });
    }).catch(function () { flushing = false; showQueue(); });
  }
  if (paper && 'serviceWorker' in navigator) {
    // The page opens without a connection next time (the shell's /sw.js keeps it).
    navigator.serviceWorker.register('/sw.js').catch(function () {});
  }
  window.addEventListener('online', function () { flush(); });
  window.addEventListener('offline', showQueue);
  setInterval(function () { if (queue().some(function (x) { return x.consultation === id && !x.error; })) flush(); }, 5000);
  flush();

  if (!form) return;

  // --- conditional questions ---
  var sets = Array.prototype.slice.call(form.querySelectorAll('fieldset.cs-q[data-key]'));
  function chosen(key) {
    return Array.prototype.slice.call(form.querySelectorAll('input[name="a.' + key + '"]:checked')).map(function (i) { return i.value; });
  }
  function apply() {
    var shown = {};
    sets.forEach(function (fs) {
      var ok = true;
      if (fs.dataset.showQ) {
        var any = fs.dataset.showAny.split(' ');
        ok = !!shown[fs.dataset.showQ] && chosen(fs.dataset.showQ).some(function (v) { return any.indexOf(v) >= 0; });
      }
      shown[fs.dataset.key] = ok;
      fs.hidden = !ok;
      Array.prototype.forEach.call(fs.querySelectorAll('input, select, textarea'), function (i) { i.disabled = !ok; });
    });
    return shown;
  }

  // --- drafts ---
  function fields() {
    return Array.prototype.slice.call(form.elements).filter(function (e) { return e.name && e.name !== 'csrf' && e.name !== 'client_id' && e.name !== 'paper'; });
  }
  function saveDraft() {
    var d = {};
    fields().forEach(function (e) {
      if ((e.type === 'radio' || e.type === 'checkbox')) { if (e.checked) (d[e.name] = d[e.name] || []).push(e.value); }
      else if (e.value) d[e.name] = e.value;
    });
    store(draftKey, d);
    var n = document.getElementById('cs-draft-note');
    if (n) n.hidden = false;
  }
  function restoreDraft() {
    if (document.querySelector('.error')) return; // the server shows the refused form's own values
    var d = load(draftKey, null);
    if (!d) return;
    fields().forEach(function (e) {
      var v = d[e.name];
      if (v == null) return;
      if (e.type === 'radio' || e.type === 'checkbox') e.checked = v.indexOf(e.value) >= 0;
      else e.value = v;
    });
  }
  restoreDraft();
  apply();
  form.addEventListener('change', function () { apply(); saveDraft(); });
  form.addEventListener('input', saveDraft);

  // --- sending ---
  function build() {
    var shown = apply();
    var answers = {};
    sets.forEach(function (fs) {
      var key = fs.dataset.key;
      if (!shown[key]) return;
      var type = fs.dataset.type, name = 'a.' + key;
      if (type === 'single') { var c = chosen(key); if (c.length) answers[key] = c[0]; }
      else if (type === 'multiple') { var m = chosen(key); if (m.length) answers[key] = m; }
      else if (type === 'rating') { var r = chosen(key); if (r.length) answers[key] = Number(r[0]); }
      else if (type === 'text') { var t = form.elements[name].value.trim(); if (t) answers[key] = t; }
      else if (type === 'ranking') {
        var ps = Array.prototype.slice.call(fs.querySelectorAll('select')).filter(function (s) { return s.value; })
          .map(function (s) { return { key: s.name.slice(name.length + 1), at: Number(s.value) }; });
        ps.sort(function (a, b) { return a.at - b.at; });
        var seen = {}, order = [];
        ps.forEach(function (p) { if (seen[p.at]) order.push(p.key); seen[p.at] = true; order.push(p.key); });
        if (order.length) answers[key] = order;
      } else if (type === 'matrix') {
        var mx = {};
        Array.prototype.forEach.call(fs.querySelectorAll('input:checked'), function (i) { mx[i.name.slice(name.length + 1)] = i.value; });
        if (Object.keys(mx).length) answers[key] = mx;
      }
    });
    var body = { client_id: form.elements.client_id.value, answers: answers };
    ['building', 'room', 'respondent', 'phone'].forEach(function (f) { if (form.elements[f] && form.elements[f].value.trim()) body[f] = form.elements[f].value.trim(); });
    if (paper) body.paper = true;
    return body;
  }
  function done() {
    store(draftKey, null);
    if (paper) {
      // The next paper form: a new id, empty fields.
      form.reset();
      form.elements.client_id.value = newClientID();
      apply();
      var n = document.getElementById('cs-draft-note');
      if (n) n.hidden = true;
      window.scrollTo(0, 0);
    }
  }
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var body = build();
    var btn = document.getElementById('cs-submit');
    if (!navigator.onLine) {
      enqueue(body);
      say(words.queued || 'queued', 'cs-queued');
      done();
      return;
    }
    btn.disabled = true;
    say(words.sending || '…');
    post(url, body).then(function (res) {
      btn.disabled = false;
      if (res.ok) {
        say(words.sent || 'sent', 'cs-ok');
        done();
        if (!paper) location.href = location.pathname + '?done=1';
        return;
      }
      // Refused: the plain form post shows the server's message in the page's language, next
      // to the filled-in form (the same client id: nothing is stored twice).
      form.submit();
    }).catch(function () {
      btn.disabled = false;
      enqueue(body);
      say(words.queued || 'queued', 'cs-queued');
      done();
    });
  });
})();
