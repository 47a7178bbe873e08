// The live map page (/ops/map): the map of ops.js, its controls, the clicked grid's figures and
// the live feed, all following the stream of order changes without reloading.
(function () {
  'use strict';
  if (!window.cg || !cg.ops) return;
  var h = cg.el, ops = cg.ops, page = ops.page();
  if (!page) return;
  var el = page.el, lang = page.lang, w = page.w, d = page.d;
  var form = document.getElementById('ops-controls');
  var cat = form.elements.category;
  Object.keys(d.categories).sort(function (a, b) { return d.categories[a].localeCompare(d.categories[b]); }).forEach(function (code) {
    cat.appendChild(h('option', { value: code }, d.categories[code]));
  });
  var detail = document.getElementById('ops-grid');
  var feedList = document.getElementById('ops-feed');
  var feed = ops.feed(feedList, 20);

  function showGrid(p, g) {
    var town = (d.towns || {})[p.town_code];
    var rows = [['f_open', 'open'], ['f_overdue', 'overdue'], ['f_week', 'week'], ['f_rate', 'satisfaction']];
    cg.fill(detail, h('h3', null, p.name), h('p', { class: 'muted' }, h('code', null, p.code), town ? ' · ' + town : ''),
      h('table', { class: 'ops-figs' }, rows.map(function (r) {
        return h('tr', null, h('th', null, w[r[0]]), h('td', null, ops.format(ops.value(g, r[1]), r[1])));
      })),
      h('p', null, h('a', { href: '/orders?grid=' + encodeURIComponent(p.code) }, w.f_queue)));
    detail.dataset.grid = p.code;
  }

  function options() {
    return {
      measure: form.elements.measure.value, days: Number(form.elements.days.value), category: cat.value,
      points: form.elements.points.checked, open: form.elements.open.checked, heat: form.elements.heat.checked
    };
  }
  var first = true;
  var m = ops.map(el, Object.assign(options(), {
    d: d, w: w, lang: lang, onGrid: showGrid,
    onPoints: function (r) {
      document.getElementById('ops-truncated').hidden = !r.truncated;
      if (!first) return;
      first = false;
      r.points.slice(0, 10).reverse().forEach(function (p) { feed.add(ops.feedItem(p, d, w)); });
    }
  }));
  form.addEventListener('change', function () { m.set(options()); });
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  m.ready.then(function () {
    ops.live(document.getElementById('ops-status'), w, function (c) {
      m.change(c);
      feed.add(ops.feedItem(c, d, w));
    }, function () { m.reload(); });
  });
})();
