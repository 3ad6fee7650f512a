/* hepbuilder builder.js: small, vendored, no dependencies. Every page works without it.
 *
 * Program builder (form#program-form): move items up/down in the page and by drag and drop
 * (the form is renumbered so it posts in the new order), live library search in the picker,
 * and the dose in plain words, as it will print, while the fields change.
 * Print view (iframe#print-frame): opens the print dialog on the PDF once it has loaded.
 */
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  /* ---- program builder ---- */

  function setUpBuilder(form) {
    var list = form.querySelector("#items");

    function items() {
      return list ? Array.prototype.slice.call(list.querySelectorAll(":scope > li.item")) : [];
    }

    function renumber() {
      var rows = items();
      rows.forEach(function (row, i) {
        row.id = "item-" + i;
        row.dataset.index = String(i);
        var number = row.querySelector(".item__number");
        if (number) number.textContent = (i + 1) + ".";
        row.querySelectorAll("[name],[id],[for],[aria-describedby]").forEach(function (el) {
          ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
            var value = el.getAttribute(attr);
            if (value && value.indexOf("items-") !== -1) {
              el.setAttribute(attr, value.replace(/items-\d+-/g, "items-" + i + "-"));
            }
          });
        });
        row.querySelectorAll("button[name=action]").forEach(function (button) {
          button.value = button.value.replace(/^(up|down|remove)-\d+$/, "$1-" + i);
          if (button.dataset.move === "up") button.disabled = i === 0;
          if (button.dataset.move === "down") button.disabled = i === rows.length - 1;
        });
      });
      form.dataset.dirty = "1";
    }

    var status = form.querySelector("#builder-status");

    function announce(row) {
      row.classList.remove("item--moved");
      void row.offsetWidth; // restart the highlight animation
      row.classList.add("item--moved");
      var name = row.querySelector(".item__name");
      if (status && name) {
        status.textContent = name.textContent.trim() + " is now number " + (items().indexOf(row) + 1) +
          " of " + items().length + ". Save to keep the new order.";
      }
    }

    if (list) {
      list.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-move]");
        if (!button) return;
        event.preventDefault();
        var row = button.closest("li.item");
        if (button.dataset.move === "up" && row.previousElementSibling) {
          list.insertBefore(row, row.previousElementSibling);
        } else if (button.dataset.move === "down" && row.nextElementSibling) {
          list.insertBefore(row.nextElementSibling, row);
        }
        renumber();
        announce(row);
        var again = row.querySelector("button[data-move=" + button.dataset.move + "]");
        (again && !again.disabled ? again : row.querySelector("button[data-move]:not([disabled])") || button).focus();
      });

      /* Drag and drop: the handle starts a drag of its row. */
      var dragged = null;
      items().forEach(function (row) { row.setAttribute("draggable", "false"); });
      list.addEventListener("mousedown", function (event) {
        var handle = event.target.closest(".item__handle");
        if (handle) handle.closest("li.item").setAttribute("draggable", "true");
      });
      list.addEventListener("dragstart", function (event) {
        dragged = event.target.closest("li.item");
        if (!dragged) return;
        dragged.classList.add("item--dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", dragged.id);
      });
      var placeAt = function (event) {
        var over = event.target.closest("li.item");
        if (!over || over === dragged) return;
        var box = over.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        list.insertBefore(dragged, after ? over.nextElementSibling : over);
      };
      list.addEventListener("dragover", function (event) {
        if (!dragged) return;
        event.preventDefault();
        placeAt(event);
      });
      list.addEventListener("drop", function (event) {
        if (!dragged) return;
        event.preventDefault();
        placeAt(event);
      });
      list.addEventListener("dragend", function () {
        if (!dragged) return;
        dragged.classList.remove("item--dragging");
        dragged.setAttribute("draggable", "false");
        announce(dragged);
        dragged = null;
        renumber();
      });

      /* The dose in plain words, from the server's one wording rule. Each item waits on its
         own (one shared wait dropped the first of two items edited in quick succession), and
         only the answer to an item's latest request is shown. */
      var doseUrl = form.dataset.doseUrl;
      var waits = new WeakMap();
      var asked = new WeakMap();
      var fetchWords = function (row) {
        var params = new URLSearchParams();
        row.querySelectorAll("[data-dose]").forEach(function (el) {
          params.set(el.dataset.dose, el.value);
        });
        var request = (asked.get(row) || 0) + 1;
        asked.set(row, request);
        fetch(doseUrl + "?" + params.toString(), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { text: "" }; })
          .then(function (data) {
            if (asked.get(row) !== request) return;  // a later edit's answer is on its way
            var target = row.querySelector("[data-dose-words]");
            if (target) target.textContent = data.text || "—";
          })
          .catch(function () {});
      };
      var updateWords = function (row) {
        clearTimeout(waits.get(row));
        waits.set(row, setTimeout(function () { fetchWords(row); }, 250));
      };
      list.addEventListener("input", function (event) {
        if (event.target.matches("[data-dose]")) updateWords(event.target.closest("li.item"));
      });
      list.addEventListener("change", function (event) {
        if (event.target.matches("[data-dose]")) updateWords(event.target.closest("li.item"));
      });
    }

    /* Warn before leaving with unsaved changes (the picker's search does not count). */
    form.addEventListener("input", function (event) {
      if (!event.target.closest("#picker")) form.dataset.dirty = "1";
    });
    form.addEventListener("submit", function () { form.dataset.dirty = ""; });
    window.addEventListener("beforeunload", function (event) {
      if (form.dataset.dirty) { event.preventDefault(); event.returnValue = ""; }
    });

    /* Adding an exercise that is already in the program asks first (without JavaScript the
       server asks, on the next page). */
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-in-program]");
      if (!button) return;
      var question = "“" + button.dataset.inProgram + "” is already in this program. Add it again?";
      if (window.confirm(question)) {
        button.value = "add-again-" + button.dataset.slug;
      } else {
        event.preventDefault();
      }
    });

    /* Live search in the picker. "Add" buttons still post the whole form. */
    var query = form.querySelector("[data-picker-query]");
    var results = form.querySelector("#picker-results");
    if (query && results) {
      var pickerUrl = form.dataset.pickerUrl;
      var latest = 0;
      var search = function () {
        var params = new URLSearchParams();
        params.set("q", query.value);
        form.querySelectorAll("[data-picker-filter]").forEach(function (el) { params.set(el.name, el.value); });
        var ticket = ++latest;
        fetch(pickerUrl + "?" + params.toString(), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) { if (html !== null && ticket === latest) results.innerHTML = html; })
          .catch(function () {});
      };
      var later = debounce(search, 200);
      query.addEventListener("input", later);
      query.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); search(); }
      });
      form.querySelectorAll("[data-picker-filter]").forEach(function (el) { el.addEventListener("change", search); });
    }
  }

  /* ---- print view ---- */

  function setUpPrint(frame) {
    var button = document.getElementById("print-button");
    function printPdf() {
      try {
        frame.contentWindow.focus();
        frame.contentWindow.print();
      } catch (error) {
        window.print();
      }
    }
    if (button) {
      button.hidden = false;
      button.addEventListener("click", printPdf);
    }
    frame.addEventListener("load", function () { setTimeout(printPdf, 300); }, { once: true });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("program-form");
    if (form) setUpBuilder(form);
    var frame = document.getElementById("print-frame");
    if (frame) setUpPrint(frame);
  });
})();
