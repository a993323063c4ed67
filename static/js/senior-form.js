/* The senior's form: the villager-group list offers only the groups of the chosen village
   (a group's code is its village's code and three digits). */
(function () {
  "use strict";
  var village = document.getElementById("id_village");
  var group = document.getElementById("id_villager_group");
  if (!village || !group) return;
  var all = Array.prototype.map.call(group.options, function (o) { return o.cloneNode(true); });

  function update() {
    var code = village.value;
    var kept = group.value;
    group.textContent = "";
    all.forEach(function (option) {
      if (!option.value || (code && option.value.indexOf(code) === 0)) {
        group.appendChild(option.cloneNode(true));
      }
    });
    group.value = kept;
    if (group.value !== kept) group.value = "";
  }

  village.addEventListener("change", update);
  update();
})();
