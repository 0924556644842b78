// Dashboard charts: drawn with the vendored ECharts from the JSON block the page embeds
// (json_script), so no inline script is needed under the CSP.
(function () {
  "use strict";

  function draw(id, option) {
    var box = document.getElementById(id);
    if (!box) {
      return;
    }
    var chart = window.echarts.init(box);
    chart.setOption(option);
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  function start() {
    var source = document.getElementById("dashboard-data");
    if (!source || !window.echarts) {
      return; // the tables below each chart still show the numbers
    }
    var data = JSON.parse(source.textContent);
    draw("chart-daily", {
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 24, top: 24, bottom: 40 },
      xAxis: { type: "category", data: data.daily.map(function (d) { return d.day.slice(5); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "line", name: "受理量", smooth: true, data: data.daily.map(function (d) { return d.count; }) }]
    });
    draw("chart-status", {
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 24, top: 24, bottom: 64 },
      xAxis: {
        type: "category",
        axisLabel: { interval: 0, rotate: 30 },
        data: data.statuses.map(function (s) { return s.label; })
      },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", name: "工单数", data: data.statuses.map(function (s) { return s.count; }) }]
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
