// Burst alerts page: one small chart per alert (tickets per day of its window against the
// seasonal baseline per day), drawn with the vendored ECharts from the json_script block.
// Without the script the sentence above each chart still carries the numbers.
(function () {
  "use strict";

  function drawAll() {
    var source = document.getElementById("burst-chart-data");
    if (!source || !window.echarts) {
      return;
    }
    var charts = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (box) {
      var data = charts[box.getAttribute("data-chart")];
      if (!data) {
        return;
      }
      var chart = window.echarts.init(box);
      chart.setOption({
        tooltip: { trigger: "axis" },
        legend: { top: 0, data: ["受理量", "基线（日均）"] },
        grid: { left: 36, right: 16, top: 32, bottom: 24 },
        xAxis: { type: "category", data: data.days },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { type: "bar", name: "受理量", data: data.counts },
          { type: "line", name: "基线（日均）", data: data.days.map(function () { return data.expected; }), symbol: "none" }
        ]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
}());
