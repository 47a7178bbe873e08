// Service worker for the grid worker's patrol page (巡查上报). Grid workers report from stairwells,
// basements and car parks where the phone has no signal: with this worker the page opens without a
// connection (the copy kept from the last visit), and reports go to the page's own outbox
// (IndexedDB), which sends them when the connection is back. Only the patrol page and the files it
// needs are kept; signing out forgets the page, so the next person on a shared phone never sees it.
// The paper-entry pages of consultations (/consultations/{id}/enter, internal/web/consult) are kept
// the same way: a grid worker opens one at a door without signal, and its own queue sends the
// paper answers when the connection is back.
'use strict';
var CACHE = 'civicgrid-patrol-v1';
var PAGE = '/patrol';
// A change of this file installs the worker again, which fetches every asset anew into the cache.
var ASSETS = ['/static/app.css', '/static/report.css', '/static/dom.js', '/static/app.js', '/static/patrol.js',
  '/static/vendor/leaflet/leaflet.css', '/static/vendor/leaflet/leaflet.js', '/static/consult.css', '/static/consult.js'];
var ENTRY = /^\/consultations\/[0-9]+\/enter$/;

self.addEventListener('install', function (e) {
  e.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(ASSETS); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf('civicgrid-patrol-') === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// keep stores a good response under key and hands the response on.
function keep(key, res) {
  if (res.ok && !res.redirected && res.type === 'basic') {
    var copy = res.clone();
    caches.open(CACHE).then(function (c) { return c.put(key, copy); });
  }
  return res;
}

self.addEventListener('fetch', function (e) {
  var url = new URL(e.request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === '/logout') {
    e.waitUntil(caches.delete(CACHE));
    return;
  }
  if (e.request.method !== 'GET') return;
  // The page: the network first (it carries the user's session and the latest categories), the
  // kept copy when there is none. A signed-out visit is redirected to the sign-in page and kept not.
  if ((url.pathname === PAGE || ENTRY.test(url.pathname)) && e.request.mode === 'navigate') {
    var key = url.pathname;
    e.respondWith(fetch(e.request).then(function (res) { return keep(key, res); }, function () {
      return caches.match(key).then(function (r) { return r || Response.error(); });
    }));
    return;
  }
  if (ASSETS.indexOf(url.pathname) >= 0) {
    e.respondWith(fetch(e.request).then(function (res) { return keep(url.pathname, res); }, function () {
      return caches.match(url.pathname).then(function (r) { return r || Response.error(); });
    }));
  }
});
