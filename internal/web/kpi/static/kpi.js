// kpi.js: the KPI page's breakdown chart. The data (group names typed by users, figure labels)
// reaches the chart as text: axis labels and series names are drawn by ECharts as text, the
// tooltip is built with cg.axisTooltip, the figure picker with cg.el.
(function () {
  'use strict';
  var el = document.getElementById('kpi-chart');
  var pick = document.getElementById('kpi-chart-key');
  if (!el || !pick || !window.echarts) return;
  var d = JSON.parse(el.dataset.chart);
  if (!d.groups.length) { el.hidden = true; pick.parentNode.hidden = true; return; }
  d.series.forEach(function (s, i) { pick.appendChild(cg.el('option', { value: String(i) }, s.name)); });
  var chart = echarts.init(el);
  function draw() {
    var s = d.series[Number(pick.value) || 0];
    chart.setOption({
      color: ['#1f6feb'],
      tooltip: { trigger: 'axis', formatter: cg.axisTooltip },
      grid: { left: 48, right: 16, top: 24, bottom: 72 },
      xAxis: { type: 'category', data: d.groups, axisLabel: { interval: 0, rotate: d.groups.length > 6 || (el.clientWidth < 500 && d.groups.length > 3) ? 30 : 0 } },
      yAxis: { type: 'value' },
      series: [{ name: s.name, type: 'bar', data: s.values, label: { show: true, position: 'top' } }]
    }, true);
  }
  pick.addEventListener('change', draw);
  draw();
  window.addEventListener('resize', function () { chart.resize(); });
})();
