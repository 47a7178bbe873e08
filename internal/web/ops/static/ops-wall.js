// The wall screen (/ops/wall): dark, large type, panels in turn (map, key numbers, latest
// orders), following the live stream. Space pauses and resumes the rotation, ← → change panel;
// ?pause=1 holds the panel, ?panel=feed starts on one, ?rotate=30 sets the seconds per panel.
(function () {
  'use strict';
  if (!window.cg || !cg.ops) return;
  var h = cg.el, ops = cg.ops, page = ops.page();
  if (!page) return;
  var el = page.el, lang = page.lang, w = page.w, d = page.d;
  var params = new URLSearchParams(location.search);
  var panels, tabs, names;
  // The panels shown in turn: those not hidden (the hotspots panel joins when there are any).
  function collect() {
    panels = Array.prototype.slice.call(document.querySelectorAll('.wall-panel:not([hidden])'));
    tabs = Array.prototype.slice.call(document.querySelectorAll('#wall-tabs li:not([hidden])'));
    names = panels.map(function (p) { return p.dataset.panel; });
  }
  collect();
  var seconds = Math.min(600, Math.max(5, Number(params.get('rotate')) || 20));
  var paused = params.get('pause') === '1';
  var at = Math.max(0, names.indexOf(params.get('panel') || 'map'));
  var m;

  function show(i) {
    at = (i + panels.length) % panels.length;
    panels.forEach(function (p, j) { p.classList.toggle('active', j === at); });
    tabs.forEach(function (t, j) { t.classList.toggle('active', j === at); });
    document.body.dataset.panel = names[at];
    if (m && names[at] === 'map') m.map.invalidateSize();
  }
  var timer = null;
  function schedule() {
    clearInterval(timer);
    document.getElementById('wall-paused').hidden = !paused;
    document.body.dataset.paused = paused ? '1' : '0';
    if (!paused) timer = setInterval(function () { show(at + 1); }, seconds * 1000);
  }
  document.addEventListener('keydown', function (e) {
    if (e.key === ' ') { paused = !paused; schedule(); e.preventDefault(); }
    else if (e.key === 'ArrowRight') { show(at + 1); schedule(); }
    else if (e.key === 'ArrowLeft') { show(at - 1); schedule(); }
  });
  document.getElementById('wall-tabs').addEventListener('click', function (e) {
    var li = e.target.closest('li');
    if (li && names.indexOf(li.dataset.panel) >= 0) { show(names.indexOf(li.dataset.panel)); schedule(); }
  });
  show(at);
  schedule();

  var clock = document.getElementById('wall-clock');
  function tick() {
    var n = new Date();
    clock.textContent = n.toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN', { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }
  tick(); setInterval(tick, 1000);

  function numbers(f) {
    var t = f.total || {};
    var vals = { today: f.today, week: t.week, open: t.open, overdue: t.overdue, satisfaction: ops.format(ops.value(t, 'satisfaction'), 'satisfaction') };
    document.querySelectorAll('.wall-num').forEach(function (n) {
      var v = vals[n.dataset.key];
      n.querySelector('b').textContent = v == null ? '–' : String(v);
    });
    var top = (f.grids || []).filter(function (g) { return g.open > 0; }).sort(function (a, b) { return b.open - a.open; }).slice(0, 6);
    cg.fill(document.getElementById('wall-top'), top.map(function (g) {
      return h('li', null, h('span', null, gridName(g)), h('b', null, String(g.open)), g.overdue ? h('em', null, w.f_overdue + ' ' + g.overdue) : null);
    }));
  }
  var gridNames = {};
  function gridName(g) { return g.grid ? (gridNames[g.town + '/' + g.grid] || g.grid) : w.unassigned; }

  var feed = ops.feed(document.getElementById('ops-feed'), 12);
  m = ops.map(el, { d: d, w: w, lang: lang, measure: 'open', days: 7, open: true, onFigures: numbers, zoomControl: false });
  ops.getJSON('/api/v1/grids').then(function (fc) {
    (fc.features || []).forEach(function (f) { gridNames[f.properties.town_code + '/' + f.properties.code] = f.properties.name; });
    numbers(m.figures());
  });
  ops.getJSON('/api/v1/ops/points?days=7&open=false&limit=12').then(function (r) {
    r.points.slice().reverse().forEach(function (p) { feed.add(ops.feedItem(p, d, w)); });
  }).finally(function () {
    ops.live(document.getElementById('ops-status'), w, function (c) {
      m.change(c);
      feed.add(ops.feedItem(c, d, w));
    }, function () { m.reload(); });
  });
  // Hotspots (治理堵点), when there are any, get a panel of their own.
  function hotspots() {
    return ops.getJSON('/api/v1/ops/hotspots').then(function (r) {
      var list = r.hotspots || [];
      var on = list.length > 0;
      document.querySelector('.wall-panel[data-panel="hotspots"]').hidden = !on;
      document.querySelector('#wall-tabs li[data-panel="hotspots"]').hidden = !on;
      cg.fill(document.getElementById('wall-hotspots'), list.slice(0, 9).map(function (x) {
        return h('li', null, h('span', null, gridName({ town: x.town, grid: x.grid }), ' · ', d.categories[x.category] || x.category),
          h('b', null, String(x.count)), h('em', null, (lang === 'en' ? 'baseline ' : '基线 ') + x.baseline.toFixed(1)));
      }));
      var current = names[at];
      collect();
      at = Math.max(0, names.indexOf(current));
      show(at);
    });
  }
  hotspots();
  setInterval(hotspots, 300000);
  // The figures also follow the clock (deadlines pass without any change being made).
  setInterval(function () { m.reload(); }, 60000);
})();
