// kaohe: the live score preview on item pages, and a warning before leaving unsaved
// changes. Plain JavaScript, no framework, nothing fetched from outside.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
  // "Back" links (the error page): no inline script may run under the page's policy.
  document.querySelectorAll("a[data-back]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      if (window.history.length > 1) {
        e.preventDefault();
        window.history.back();
      }
    });
  });
  // "Select all" for a form's checkboxes (the review queue's batch confirmation).
  document.querySelectorAll("button[data-check-all]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      var boxes = b.form.querySelectorAll("input[type=checkbox][name=" + b.getAttribute("data-check-all") + "]");
      var all = Array.prototype.every.call(boxes, function (x) { return x.checked; });
      boxes.forEach(function (x) { x.checked = !all; });
    });
  });
  var form = document.querySelector("form[data-preview]");
  if (!form) return;
  var target = document.getElementById("preview");
  var url = form.getAttribute("data-preview");
  var timer = null;
  var dirty = false;
  var seq = 0;

  function refresh() {
    var mine = ++seq;
    // The typed values only: files chosen on the form go up when it is saved.
    var body = new URLSearchParams();
    new FormData(form).forEach(function (v, k) {
      if (typeof v === "string") body.append(k, v);
    });
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (r) {
      if (!r.ok) throw new Error("预览暂时不可用（" + r.status + "）");
      return r.text();
    }).then(function (html) {
      if (mine === seq) target.innerHTML = html;
    }).catch(function (e) {
      if (mine === seq) target.insertAdjacentHTML("afterbegin", "<p class=\"warn-text\">" + e.message + "</p>");
    });
  }

  function changed() {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () {
    // Saving: no preview is started after the press (the page is about to change).
    dirty = false;
    clearTimeout(timer);
  });
  window.addEventListener("beforeunload", function (e) {
    if (dirty) { e.preventDefault(); e.returnValue = ""; }
  });
})();
