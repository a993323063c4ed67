/* The coverage page: choosing a snapshot day reloads the page (a button does it without JS).
   No inline handlers: the content security policy allows scripts from this site only. */
(function () {
  "use strict";
  document.querySelectorAll("[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll("[data-hide-with-js]").forEach(function (node) { node.hidden = true; });
})();
