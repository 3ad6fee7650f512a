/* The exercise editor's textareas for steps, tips and precautions grow as the author types: a
   row more whenever the text no longer fits, up to the textarea's data-max-rows. The server
   already sets rows for the text it sends (hepbuilder/web/library_forms.text_rows); this follows
   the real width of the screen and what is typed since. Without JavaScript the server's rows
   stand. */
(function () {
  "use strict";

  function grow(area) {
    var most = parseInt(area.getAttribute("data-max-rows"), 10) || area.rows;
    while (area.scrollHeight > area.clientHeight && area.rows < most) { area.rows += 1; }
  }

  document.querySelectorAll("textarea[data-max-rows]").forEach(function (area) {
    area.addEventListener("input", function () { grow(area); });
    grow(area);
  });
})();
