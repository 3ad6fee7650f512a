/* The pose editor's live preview: as a slider moves, post the form to the preview endpoint and
   draw the SVG it returns. One request at a time; while one is out, only the latest change is
   kept and sent next, so the picture follows the slider without a queue of stale drawings.
   While the pose has problems there is no new drawing: the last valid one stays, dimmed, with
   a line saying it is the last valid pose, until a valid pose is drawn again. When the preview
   cannot be asked for (no connection, the session ended, a server error) the picture is dimmed
   too, with a line saying so, until a preview arrives. A valid pose that would print badly (an
   arrow too short to see) is drawn, with the warnings the preview sends under it. */
(function () {
  "use strict";
  var form = document.getElementById("pose-form");
  if (!form) { return; }
  var figure = document.getElementById("pose-preview");
  var errors = document.getElementById("pose-errors");
  var warnings = document.getElementById("pose-warnings");
  var stale = document.getElementById("pose-stale");
  var failed = document.getElementById("pose-failed");
  var url = form.getAttribute("data-preview-url");
  var busy = false;
  var pending = false;

  // Lines of text in `box` (the problems, or the warnings about how the pose will print).
  function showLines(box, lines) {
    lines = lines || [];
    box.textContent = "";
    lines.forEach(function (text) {
      var line = document.createElement("p");
      line.textContent = text;
      box.appendChild(line);
    });
    box.hidden = lines.length === 0;
  }

  // Out of date: the picture shown is not the pose the sliders describe (only when there is one),
  // because the pose has problems ("invalid") or no preview came back ("failed").
  function markOutOfDate(why) {
    var shown = figure.querySelector("svg") !== null;
    figure.classList.toggle("pose-preview--stale", shown && why !== null);
    stale.hidden = !(shown && why === "invalid");
    failed.hidden = why !== "failed";
  }

  function redraw() {
    if (busy) { pending = true; return; }
    busy = true;
    pending = false;
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        // not ok, or a sign-in page after a redirect (the session ended): no preview
        if (!response.ok) { throw new Error("preview " + response.status); }
        return response.json();
      })
      .then(function (data) {
        var drawn = false;
        if (data.svg) {
          var parsed = new DOMParser().parseFromString(data.svg, "image/svg+xml").documentElement;
          if (parsed && parsed.nodeName === "svg") {
            figure.replaceChildren(document.importNode(parsed, true));
            drawn = true;
          }
        }
        markOutOfDate(drawn ? null : "invalid");
        showLines(errors, data.problems);
        showLines(warnings, data.warnings);
      })
      .catch(function () { markOutOfDate("failed"); })
      .then(function () {
        busy = false;
        if (pending) { redraw(); }
      });
  }

  form.addEventListener("input", function (event) {
    var control = event.target;
    if (!control.matches("[data-pose-control]")) { return; }
    var shown = form.querySelector('[data-value-of="' + control.name + '"]');
    if (shown) { shown.textContent = control.value; }
    redraw();
  });
  form.querySelectorAll("[data-preview-button]").forEach(function (button) { button.hidden = true; });
})();
