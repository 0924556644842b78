// KPI charts (考核指标): drawn with the vendored ECharts from the JSON block the page embeds
// (json_script), so no inline script is needed under the CSP. The same numbers are in the table
// below each chart, which is what a reader without JavaScript sees.
(function () {
  "use strict";

  function percent(value) {
    return value === null || value === undefined ? "不适用" : (value * 100).toFixed(1) + "%";
  }

  // Volumes per group (分布): a bar per group, largest first.
  function barOption(data) {
    return {
      tooltip: { trigger: "axis" },
      grid: { left: 56, right: 24, top: 24, bottom: 88 },
      xAxis: { type: "category", axisLabel: { interval: 0, rotate: 30 }, data: data.names },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", name: "受理量", data: data.volumes }]
    };
  }

  // Rates per period (趋势): one line per indicator; a null (不适用) leaves a gap.
  function lineOption(data) {
    return {
      tooltip: { trigger: "axis", valueFormatter: percent },
      legend: { top: 0 },
      grid: { left: 56, right: 24, top: 40, bottom: 40 },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", min: 0, max: 1, axisLabel: { formatter: percent } },
      series: data.series.map(function (s) {
        return { type: "line", name: s.name, data: s.values, connectNulls: false };
      })
    };
  }

  function start() {
    var source = document.getElementById("kpi-chart-data");
    var box = document.getElementById("kpi-chart");
    if (!source || !box || !window.echarts) {
      return; // the table still shows the numbers
    }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(box);
    chart.setOption(data.kind === "line" ? lineOption(data) : barOption(data));
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
