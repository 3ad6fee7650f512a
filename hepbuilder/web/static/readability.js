/* The exercise editor's live reading grade: for each step textarea (data-readability), show the
   Flesch-Kincaid grade and word count as the author types, and flag a step above the form's
   data-max-grade or data-max-words. The same counting as hepbuilder/domain/readability.py; the
   server checks again on save (a warning, never a refusal). */
(function () {
  "use strict";
  var WORD = /[A-Za-z]+(?:'[A-Za-z]+)*/g;
  var SENTENCE_END = /[.!?]+/;

  function syllables(word) {
    word = word.toLowerCase().replace(/'/g, "");
    var groups = word.match(/[aeiouy]+/g);
    var count = groups ? groups.length : 0;
    if (/e$/.test(word) && !/(le|ee|ye)$/.test(word) && count > 1) { count -= 1; }
    return Math.max(1, count);
  }

  function reading(text) {
    var words = text.match(WORD) || [];
    if (!words.length) { return { words: 0, grade: 0 }; }
    var sentences = text.split(SENTENCE_END).filter(function (part) { return part.trim(); }).length;
    sentences = Math.max(1, sentences);
    var total = 0;
    words.forEach(function (word) { total += syllables(word); });
    var grade = 0.39 * words.length / sentences + 11.8 * total / words.length - 15.59;
    return { words: words.length, grade: Math.round(Math.max(0, grade) * 10) / 10 };
  }

  function describe(result, maxGrade, maxWords) {
    if (!result.words) { return { text: "", warn: false }; }
    var problems = [];
    if (result.grade > maxGrade) { problems.push("reads at grade " + result.grade.toFixed(1) + " (aim for " + maxGrade + " or lower)"); }
    if (result.words > maxWords) { problems.push("has " + result.words + " words (aim for " + maxWords + " or fewer)"); }
    var text = "Grade " + result.grade.toFixed(1) + " · " + result.words + " words";
    if (problems.length) { text += ": This step " + problems.join(" and ") + ": shorter sentences and words help."; }
    return { text: text, warn: problems.length > 0 };
  }

  function watch(form) {
    var maxGrade = parseFloat(form.getAttribute("data-max-grade")) || 6;
    var maxWords = parseInt(form.getAttribute("data-max-words"), 10) || 25;
    form.querySelectorAll("textarea[data-readability]").forEach(function (area) {
      var out = document.getElementById(area.id + "-reading");
      if (!out) { return; }
      function update() {
        var shown = describe(reading(area.value), maxGrade, maxWords);
        out.textContent = shown.text;
        out.classList.toggle("step-reading--warn", shown.warn);
      }
      area.addEventListener("input", update);
    });
  }

  window.hepReadability = reading;
  document.querySelectorAll("form[data-max-grade]").forEach(watch);
})();
