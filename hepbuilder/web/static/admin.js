// Admin niceties; every page works without this file.
// - The brand colour gets a colour picker that stays in step with the text field (and the handout sketch).
// - A new API token's (or webhook endpoint's) secret gets a Copy button.
(function () {
  "use strict";
  var HEX = /^#?[0-9a-fA-F]{6}$/;

  document.querySelectorAll("input[type=color][data-color-for]").forEach(function (picker) {
    var text = document.getElementById(picker.getAttribute("data-color-for"));
    if (!text) return;
    var sketch = document.querySelector(".handout-head");
    function show(value) {
      if (sketch) sketch.style.setProperty("--handout-brand", value);
    }
    picker.hidden = false;
    picker.addEventListener("input", function () {
      text.value = picker.value;
      show(picker.value);
    });
    text.addEventListener("input", function () {
      var value = text.value.trim();
      if (HEX.test(value)) {
        value = (value.charAt(0) === "#" ? value : "#" + value).toLowerCase();
        picker.value = value;
        show(value);
      }
    });
  });

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = "Copied";
      }, function () {
        field.select();
      });
    });
    field.addEventListener("focus", function () { field.select(); });
  });
})();
