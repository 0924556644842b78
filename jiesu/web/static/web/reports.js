// Reports page: show the special report's fields only for 专报 (the period field otherwise), and
// draw the preview's charts with the vendored ECharts from the embedded JSON block (json_script).
// Without the script every field shows and the tables below the charts still carry the numbers.
(function () {
  "use strict";

  function toggleFields(form) {
    var kind = form.querySelector("[name=kind]");
    if (!kind) {
      return;
    }
    var special = kind.value === "special";
    form.querySelectorAll(".special-only").forEach(function (box) { box.hidden = !special; });
    form.querySelectorAll(".periodic-only:not(.always)").forEach(function (box) { box.hidden = special; });
  }

  function draw(id, option) {
    var box = document.getElementById(id);
    if (!box || !window.echarts) {
      return;
    }
    var chart = window.echarts.init(box);
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawCharts() {
    var source = document.getElementById("report-chart-data");
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    draw("chart-report-daily", {
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 24, top: 24, bottom: 40 },
      xAxis: { type: "category", data: data.daily.map(function (d) { return d.day; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", name: "受理量", data: data.daily.map(function (d) { return d.count; }) }]
    });
  }

  function start() {
    var form = document.getElementById("report-pick");
    if (form) {
      toggleFields(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "kind") {
          toggleFields(form);
        }
      });
    }
    drawCharts();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
