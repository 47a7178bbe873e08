// The results of a consultation as charts beside their tables: bars for single, multiple and
// rating questions, Borda scores for a ranking, stacked bars for a matrix. The tallies come from
// the page (#cs-results); option texts are typed by users, so labels and tooltips are text.
(function () {
  'use strict';
  if (!window.echarts) return;
  var data = cg.data;
  var res = data('cs-results') || { questions: [] };
  var L = data('cs-labels') || {};
  var palette = ['#2f6fb0', '#e8590c', '#2e8b57', '#b8860b', '#8e44ad', '#c0392b', '#16a085', '#7f8c8d', '#d35400', '#34495e'];
  var charts = [];
  (res.questions || []).forEach(function (qr) {
    var q = qr.question, el = document.getElementById('chart-' + q.key);
    if (!el) return;
    var opt = { animation: false, color: palette, tooltip: { trigger: 'axis', formatter: cg.axisTooltip },
      grid: { left: 8, right: 40, top: 24, bottom: 8, containLabel: true } };
    var n = 0;
    if (q.type === 'ranking') {
      var rk = qr.ranking || [];
      n = rk.length;
      opt.xAxis = { type: 'value', minInterval: 1 };
      opt.yAxis = { type: 'category', inverse: true, data: rk.map(function (r) { return r.text; }), axisLabel: { width: 120, overflow: 'truncate' } };
      opt.series = [{ name: L.borda, type: 'bar', data: rk.map(function (r) { return r.borda; }), label: { show: true, position: 'right' } }];
    } else if (q.type === 'matrix') {
      var rows = q.rows || [], cols = q.options || [];
      n = rows.length;
      opt.legend = { top: 0, data: cols.map(function (c) { return c.text; }) };
      opt.grid.top = 36;
      opt.xAxis = { type: 'value', minInterval: 1 };
      opt.yAxis = { type: 'category', inverse: true, data: rows.map(function (r) { return r.text; }), axisLabel: { width: 120, overflow: 'truncate' } };
      opt.series = cols.map(function (c, ci) {
        return { name: c.text, type: 'bar', stack: 'all', data: rows.map(function (r, ri) { return (qr.matrix && qr.matrix[ri] || [])[ci] || 0; }) };
      });
    } else {
      var cs = qr.counts || [];
      n = cs.length;
      opt.xAxis = { type: 'value', minInterval: 1 };
      opt.yAxis = { type: 'category', inverse: true, data: cs.map(function (c) { return c.text; }), axisLabel: { width: 120, overflow: 'truncate' } };
      opt.series = [{ name: L.count, type: 'bar', data: cs.map(function (c) { return c.count; }), label: { show: true, position: 'right' }, colorBy: 'data' }];
    }
    el.style.height = Math.max(140, 36 + n * 30) + 'px';
    var chart = echarts.init(el, null, { renderer: 'svg' });
    chart.setOption(opt);
    el.dataset.bars = String(n);
    charts.push(chart);
  });
  document.body.dataset.chartsReady = String(charts.length);
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
