// The hotspots page (/ops/hotspots): the weekly trend of the chosen hotspot (the first, or the
// row clicked) as an ECharts line with its baseline; names reach the chart as text.
(function () {
  'use strict';
  var el = document.getElementById('hotspot-chart');
  if (!el || !window.echarts) return;
  function json(id) { try { return JSON.parse(document.getElementById(id).textContent || 'null'); } catch (e) { return null; } }
  var hs = json('ops-data') || [], names = json('ops-names') || {}, cats = json('ops-cats') || {};
  var zh = document.documentElement.lang !== 'en';
  var chart = echarts.init(el);
  var labels = [];
  for (var i = 8; i >= 0; i--) labels.push(i === 0 ? (zh ? '本周' : 'this week') : (zh ? i + ' 周前' : i + ' wk ago'));
  function show(i) {
    var h = hs[i];
    if (!h) return;
    var title = (names[h.grid] || h.grid) + ' · ' + (cats[h.category] || h.category);
    chart.setOption({
      title: { text: title, left: 0, textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis', formatter: cg.axisTooltip },
      grid: { left: 40, right: 16, top: 40, bottom: 28 },
      xAxis: { type: 'category', data: labels },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: zh ? '受理量' : 'Received', type: 'bar', data: h.weeks, itemStyle: { color: '#f97316' } },
        { name: zh ? '基线周均' : 'Baseline', type: 'line', data: h.weeks.map(function () { return h.baseline; }), symbol: 'none', lineStyle: { type: 'dashed', color: '#475569' } }
      ]
    }, true);
    el.dataset.shown = String(i);
    document.querySelectorAll('#hotspots tbody tr').forEach(function (tr) { tr.classList.toggle('active', tr.dataset.index === String(i)); });
  }
  document.querySelectorAll('#hotspots tbody tr').forEach(function (tr) {
    tr.addEventListener('click', function (e) { if (e.target.closest('a, button, form')) return; show(Number(tr.dataset.index)); });
  });
  show(0);
  window.addEventListener('resize', function () { chart.resize(); });
})();
