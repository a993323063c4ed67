/* The big screen shows one panel of each rotating column at a time (an indicator group, a
   page of the ranking) and moves to the next every 12 seconds, so it never scrolls. Without
   this script every panel is listed. No inline script: the content security policy allows
   scripts from this site only. */
(function () {
  "use strict";
  var EVERY = 12000;
  document.documentElement.classList.add("rotating");
  document.querySelectorAll("[data-rotate]").forEach(function (column) {
    var panels = column.querySelectorAll("[data-panel]");
    var shown = 0;
    panels.forEach(function (panel, i) { panel.hidden = i !== 0; });
    if (panels.length < 2) return;
    window.setInterval(function () {
      panels[shown].hidden = true;
      shown = (shown + 1) % panels.length;
      panels[shown].hidden = false;
    }, EVERY);
  });
})();
