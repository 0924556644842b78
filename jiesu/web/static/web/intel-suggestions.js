// The suggestions panel of the ticket page: "采用" puts a suggested value into the matching field
// of the triage or dispatch form on the same page (and opens that form).
// Event delegation on the document, because the panel arrives later through htmx.
(function () {
  "use strict";

  function say(panel, text) {
    var status = panel && panel.querySelector(".suggestions-status");
    if (status) {
      status.textContent = text;
    }
  }

  function apply(button) {
    var panel = button.closest("#suggestions-panel");
    var name = button.getAttribute("data-target");
    var value = button.getAttribute("data-value");
    var label = button.getAttribute("data-label") || value;
    var field = document.querySelector('select[name="' + name + '"]');
    if (!field) {
      say(panel, "本页没有可填写的表单（当前环节不能分类审核或派单）");
      return;
    }
    var option = Array.prototype.find.call(field.options, function (o) { return o.value === value; });
    if (!option) {
      say(panel, "表单中没有“" + label + "”这一选项（可能已停用）");
      return;
    }
    field.value = value;
    var details = field.closest("details");
    if (details) {
      details.open = true;
    }
    field.dispatchEvent(new Event("change", { bubbles: true }));
    field.focus();
    say(panel, "已填入“" + label + "”，请核对后提交");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.suggestion-apply");
    if (button) {
      apply(button);
    }
  });
})();
