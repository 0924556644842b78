// Live deadline countdowns on the ticket page. The server renders the same text and urgency
// class, so the page is complete without JavaScript; this only keeps them current.
// Thresholds match jiesu.web.presenters.deadline_urgency.
(function () {
  "use strict";
  var SOON = 24 * 3600, NEAR = 4 * 3600;
  var WORDS = { ok: "充裕", soon: "临近", near: "紧迫", overdue: "已超期" };
  var LEVELS = ["ok", "soon", "near", "overdue"];

  function duration(seconds) {
    var minutes = Math.floor(Math.max(seconds, 0) / 60);
    var days = Math.floor(minutes / 1440), rest = minutes % 1440;
    var hours = Math.floor(rest / 60), mins = rest % 60;
    if (days) { return hours ? days + "天" + hours + "小时" : days + "天"; }
    if (hours) { return mins ? hours + "小时" + mins + "分钟" : hours + "小时"; }
    return mins + "分钟";
  }

  function level(left) {
    if (left < 0) { return "overdue"; }
    if (left <= NEAR) { return "near"; }
    return left <= SOON ? "soon" : "ok";
  }

  function update() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (cell) {
      var due = Date.parse(cell.getAttribute("data-deadline"));
      if (isNaN(due)) { return; }
      var left = Math.floor((due - now) / 1000), current = level(left);
      LEVELS.forEach(function (l) { cell.classList.toggle("urgency-" + l, l === current); });
      var word = cell.querySelector(".urgency-word"), text = cell.querySelector(".countdown");
      if (word) { word.textContent = WORDS[current]; }
      if (text) { text.textContent = left >= 0 ? "剩余 " + duration(left) : "超期 " + duration(-left); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    update();
    window.setInterval(update, 30000);
  });
})();
