// The knowledge panel of the ticket page: "插入答复" copies a standard answer's wording into the
// reply form of the same page, "选为主办单位" picks a responsible unit in a dispatch form.
// Event delegation on the document, because the panel arrives later through htmx.
(function () {
  "use strict";
  // The reply boxes of the ticket page, in order of preference: a unit's reply, the center's own answer.
  var REPLY_BOXES = ['textarea[name="replied-text"]', 'textarea[name="self_handled-text"]'];

  function say(panel, text) {
    var status = panel && panel.querySelector(".knowledge-status");
    if (status) {
      status.textContent = text;
    }
  }

  function replyBox() {
    for (var i = 0; i < REPLY_BOXES.length; i++) {
      var box = document.querySelector(REPLY_BOXES[i]);
      if (box) {
        return box;
      }
    }
    return null;
  }

  function insertAnswer(button) {
    var panel = button.closest(".knowledge-panel");
    var box = replyBox();
    if (!box) {
      say(panel, "本页没有可填写的答复框（当前环节不能反馈或答复）");
      return;
    }
    var wording = button.getAttribute("data-answer") || "";
    box.value = box.value.trim() ? box.value.replace(/\s+$/, "") + "\n" + wording : wording;
    var details = box.closest("details");
    if (details) {
      details.open = true;
    }
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
    say(panel, "已将「" + (button.getAttribute("data-title") || "标准答复") + "」的答复口径插入答复框");
  }

  function pickUnit(button) {
    var panel = button.closest(".knowledge-panel") || button.closest("form");
    var select = document.getElementById("id_" + button.getAttribute("data-event") + "-lead_unit");
    if (!select) {
      return;
    }
    var id = button.getAttribute("data-unit-id");
    var option = select.querySelector('option[value="' + id + '"]');
    if (!option) {
      // The unit search may have narrowed the options: bring the unit back.
      option = new Option(button.getAttribute("data-unit-name") || id, id);
      select.appendChild(option);
    }
    select.value = id;
    // Bubbling change: htmx on the select asks for the deadline preview.
    select.dispatchEvent(new Event("change", { bubbles: true }));
    say(panel, "已选择主办单位：" + (button.getAttribute("data-unit-name") || ""));
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    var insert = target.closest("button[data-answer]");
    if (insert) {
      event.preventDefault();
      insertAnswer(insert);
      return;
    }
    var pick = target.closest("button[data-unit-id]");
    if (pick) {
      event.preventDefault();
      pickUnit(pick);
    }
  });
})();
