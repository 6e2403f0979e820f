/* The course book's own script (deferred, on every page; loaded by _ext/activations_book.py).
 * Accessible names for theme controls, legible figures on phones, readable search
 * snippets.  Runs before DOMContentLoaded (deferred), and again after the theme's and
 * sphinx-togglebutton's own DOMContentLoaded handlers for the elements they create. */
(function () {
  "use strict";

  // --- accessible names that contain the visible text (axe label-content-name-mismatch)
  function fixNames(root) {
    // Sidebar chevrons: a <summary> holding only an icon needs a name (axe summary-name).
    root.querySelectorAll("nav summary, .bd-sidebar summary").forEach(function (s) {
      if (s.textContent.trim() || s.getAttribute("aria-label")) return;
      var li = s.closest("li");
      var link = li && li.querySelector("a");
      s.setAttribute("aria-label", "Sections of " + (link ? link.textContent.trim() : "this part"));
    });
    // Buttons whose aria-label differs from the text they show: name them by that text.
    root.querySelectorAll("button[aria-label], summary[aria-label]").forEach(function (b) {
      var visible = (b.innerText || "").replace(/\s+/g, " ").trim();
      if (!visible) return;
      var label = b.getAttribute("aria-label");
      if (label.toLowerCase().indexOf(visible.toLowerCase()) === -1) b.removeAttribute("aria-label");
    });
    // The logo link to the home page sits outside every landmark (axe region): its
    // container becomes a small navigation landmark of its own.
    root.querySelectorAll("a.navbar-brand").forEach(function (a) {
      var box = a.parentElement;
      if (!box || box.closest("nav, header, main, aside, footer, [role]")) return;
      box.setAttribute("role", "navigation");
      box.setAttribute("aria-label", "Book home");
    });
    // The theme switch shows only an icon with a tooltip title: its name is the title.
    root.querySelectorAll(".theme-switch-button").forEach(function (b) {
      b.querySelectorAll("[title]").forEach(function (i) { i.removeAttribute("title"); });
      b.setAttribute("aria-label", "Colour mode (light, dark, auto)");
    });
  }

  // --- figures on narrow screens: keep labels legible, scroll instead of shrinking
  // activations.plotting draws a one-panel figure 614 CSS px wide with 12 pt (16 px) text:
  // 9 px needs a scale of at least 9/16.
  var MIN_SCALE = 9 / 16;
  function legibleFigures() {
    document.querySelectorAll(".cell_output img[src$='.svg'], .cell_output img[src*='.svg?']").forEach(function (img) {
      function apply() {
        if (!img.naturalWidth) return;
        img.style.minWidth = Math.round(img.naturalWidth * MIN_SCALE) + "px";
      }
      if (img.complete) apply(); else img.addEventListener("load", apply);
    });
  }

  // --- search snippets: no TeX source, code or "Show code cell source" in the previews
  function cleanSearchText() {
    // searchtools.js declares `const Search` (a global binding, not a window property)
    if (typeof Search === "undefined" || typeof Search.htmlToText !== "function") return;
    Search.htmlToText = function (htmlString, anchor) {
      var doc = new DOMParser().parseFromString(htmlString, "text/html");
      [".headerlink", "script", "style", ".cell_input", ".cell_output", "details.hide > summary",
       "div.math", ".toggle-hidden", "#jb-print-docs-body", ".admonition-title"].forEach(function (q) {
        doc.querySelectorAll(q).forEach(function (el) { el.remove(); });
      });
      var main = (anchor && doc.querySelector('[role="main"] ' + anchor)) || doc.querySelector('[role="main"]');
      // Inline math (in spans, or raw in titles and links) becomes plain text when short
      // and simple, "…" otherwise: the preview is text, MathJax does not run on it.
      return main ? main.textContent.replace(/\\\(([\s\S]*?)\\\)/g, function (_m, tex) {
        var plain = tex.replace(/\\(mathrm|operatorname|text|mathit|mathbf)\{([^}]*)\}/g, "$2")
                       .replace(/[{}]/g, "").replace(/\s+/g, " ").trim();
        return /[\\^_]/.test(plain) || plain.length > 24 ? "…" : plain;
      }).replace(/\s+/g, " ") : "";
    };
  }

  // --- wide tables: a visible hint above a table that is wider than its box
  var WIDE = ".pst-scrollable-table-container, .table-wrapper, .act-table";
  function scrollHints() {
    document.querySelectorAll(WIDE).forEach(function (box) {
      var prev = box.previousElementSibling;
      var hint = prev && prev.classList.contains("act-scroll-hint") ? prev : null;
      var overflows = box.scrollWidth > box.clientWidth + 2;
      if (overflows && !hint) {
        hint = document.createElement("p");
        hint.className = "act-scroll-hint";
        hint.textContent = "The table is wider than the page: scroll it sideways to see every column.";
        box.before(hint);
      } else if (!overflows && hint) {
        hint.remove();
      }
    });
  }

  cleanSearchText();
  fixNames(document);
  legibleFigures();
  document.addEventListener("DOMContentLoaded", function () {
    cleanSearchText();  // in case searchtools.js was loaded after this script
    // after sphinx-togglebutton has added its "Click to show" buttons
    setTimeout(function () { fixNames(document); }, 0);
  });
  // after MathJax has typeset (formulas change the tables' widths) and on every resize
  window.addEventListener("load", function () {
    var mj = window.MathJax && window.MathJax.startup && window.MathJax.startup.promise;
    (mj || Promise.resolve()).then(scrollHints);
  });
  var pending;
  window.addEventListener("resize", function () { clearTimeout(pending); pending = setTimeout(scrollHints, 150); });
})();
