// The ticket list's bulk bar: "select all on this page" and the count of ticked tickets.
(function () {
  "use strict";
  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll('input[name="numbers"][form="bulk-form"]'));
  }
  function update() {
    var count = document.getElementById("bulk-count");
    var ticked = boxes().filter(function (box) { return box.checked; }).length;
    if (count) {
      count.textContent = ticked ? "已选择 " + ticked + " 件工单" : "勾选工单后可批量操作（每次最多 500 件）";
    }
    var all = document.getElementById("bulk-all");
    if (all) {
      all.checked = ticked > 0 && ticked === boxes().length;
      all.indeterminate = ticked > 0 && ticked < boxes().length;
    }
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.id === "bulk-all") {
      boxes().forEach(function (box) { box.checked = target.checked; });
    }
    if (target && (target.id === "bulk-all" || target.name === "numbers")) {
      update();
    }
  });
  document.addEventListener("DOMContentLoaded", update);
})();
