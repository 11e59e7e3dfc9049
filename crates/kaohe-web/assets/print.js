// kaohe: the print views' 打印 button. Plain JavaScript, nothing fetched from outside.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
})();
