// The home page's intake chart: orders received per day over the last 30 days, stacked by channel.
(function () {
  var el = document.getElementById('intake-chart');
  if (!el || !window.echarts) return;
  var d = JSON.parse(el.dataset.chart);
  var chart = echarts.init(el);
  chart.setOption({
    color: ['#c0392b', '#1f6feb', '#1a7f37', '#bf8700', '#8250df', '#6b7785'],
    tooltip: { trigger: 'axis', formatter: cg.axisTooltip }, legend: { top: 0 },
    grid: { left: 40, right: 16, top: 36, bottom: 28 },
    xAxis: { type: 'category', data: d.days }, yAxis: { type: 'value', minInterval: 1 },
    series: d.series
  });
  window.addEventListener('resize', function () { chart.resize(); });
})();
