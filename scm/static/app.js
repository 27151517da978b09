/* SCM — small, dependency-free behaviour. CSP: script-src 'self', so no inline handlers anywhere;
   everything is wired here through classes and data-* attributes. Pages work without this file. */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  function $all(selector, scope) {
    return Array.prototype.slice.call((scope || document).querySelectorAll(selector));
  }

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  function storageGet(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }

  function storageSet(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* private mode: ignore */ }
  }

  /* ------------------------------------------------------------ navigation */

  function initNavToggle() {
    $all("[data-nav-toggle]").forEach(function (button) {
      var target = document.getElementById(button.getAttribute("aria-controls"));
      if (!target) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var open = !target.classList.contains("is-open");
        target.classList.toggle("is-open", open);
        button.setAttribute("aria-expanded", open ? "true" : "false");
      });
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && target.classList.contains("is-open")) {
          target.classList.remove("is-open");
          button.setAttribute("aria-expanded", "false");
          button.focus();
        }
      });
    });
  }

  /* <details data-dropdown>: one open at a time, closed by an outside click or Escape. */
  function initDropdowns() {
    var dropdowns = $all("details[data-dropdown]");
    if (!dropdowns.length) { return; }
    dropdowns.forEach(function (details) {
      details.addEventListener("toggle", function () {
        if (!details.open) { return; }
        dropdowns.forEach(function (other) {
          if (other !== details) { other.open = false; }
        });
      });
    });
    document.addEventListener("click", function (event) {
      dropdowns.forEach(function (details) {
        if (details.open && !details.contains(event.target)) { details.open = false; }
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      dropdowns.forEach(function (details) {
        if (details.open) {
          details.open = false;
          var summary = details.querySelector("summary");
          if (summary) { summary.focus(); }
        }
      });
    });
  }

  /* Posting tabs scroll sideways on phones: bring the current one into view. */
  function initTabs() {
    $all(".tabs").forEach(function (tabs) {
      var active = tabs.querySelector(".is-active");
      if (active && tabs.scrollWidth > tabs.clientWidth) {
        tabs.scrollLeft = Math.max(0, active.offsetLeft - tabs.offsetLeft - 16);
      }
    });
  }

  /* ------------------------------------------------------------ messages */

  function initFlashes() {
    $all("[data-dismiss]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var flash = button.closest(".flash");
        if (flash) { flash.remove(); }
      });
    });
  }

  /* ------------------------------------------------------------ forms */

  /* data-confirm="Question?" on a form asks before submitting. */
  function initConfirm() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var question = form.getAttribute && form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    }, true);
  }

  /* data-once: disable the submit button after the first submit, so a double tap never posts twice. */
  function initSubmitOnce() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.hasAttribute || !form.hasAttribute("data-once") || event.defaultPrevented) { return; }
      if (form.getAttribute("data-submitting") === "1") {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-submitting", "1");
      $all("button[type=submit], input[type=submit]", form).forEach(function (button) {
        button.classList.add("is-busy");
        button.setAttribute("aria-disabled", "true");
        window.setTimeout(function () { button.disabled = true; }, 0);
      });
    });
    /* Back/forward cache: a restored page must be usable again. */
    window.addEventListener("pageshow", function () {
      $all("form[data-once]").forEach(function (form) {
        form.removeAttribute("data-submitting");
        $all("button[type=submit], input[type=submit]", form).forEach(function (button) {
          button.disabled = false;
          button.classList.remove("is-busy");
          button.removeAttribute("aria-disabled");
        });
      });
    });
  }

  /* data-autosubmit on a select/checkbox of a GET filter form: apply on change. */
  function initAutosubmit() {
    $all("[data-autosubmit]").forEach(function (control) {
      control.addEventListener("change", function () {
        var form = control.form;
        if (!form) { return; }
        if (typeof form.requestSubmit === "function") { form.requestSubmit(); } else { form.submit(); }
      });
    });
  }

  /* Put the cursor on the first field the server marked invalid (instead of plain autofocus). */
  function focusFirstInvalid() {
    var invalid = document.querySelector("main [aria-invalid='true']");
    if (invalid && typeof invalid.focus === "function") {
      invalid.focus();
      if (typeof invalid.select === "function" && invalid.tagName === "INPUT") {
        try { invalid.select(); } catch (e) { /* number inputs cannot select */ }
      }
    }
  }

  /* <select data-remember="key">: remember the choice; data-restore brings it back on a fresh form. */
  function initRemember() {
    $all("select[data-remember]").forEach(function (select) {
      var key = "scm:" + select.getAttribute("data-remember");
      if (select.hasAttribute("data-restore")) {
        var saved = storageGet(key);
        if (saved !== null && $all("option", select).some(function (o) { return o.value === saved; })) {
          select.value = saved;
        }
      }
      select.addEventListener("change", function () { storageSet(key, select.value); });
    });
  }

  /* Focusable form controls in document order, for "Enter moves on" behaviour. */
  function formControls(form) {
    return $all("input, select, textarea, button", form).filter(function (el) {
      return !el.disabled && !el.hidden && el.type !== "hidden" && el.offsetParent !== null &&
        el.getAttribute("tabindex") !== "-1";
    });
  }

  /* data-enter-next: Enter (as sent by barcode scanners) moves to the next field instead of submitting. */
  function initEnterNext() {
    document.addEventListener("keydown", function (event) {
      var el = event.target;
      if (event.key !== "Enter" || !el || !el.hasAttribute || !el.hasAttribute("data-enter-next")) { return; }
      if (event.isComposing || event.shiftKey || event.ctrlKey || event.metaKey || event.altKey) { return; }
      var form = el.form;
      if (!form) { return; }
      event.preventDefault();
      var row = el.closest("[data-line]");
      if (row) {
        var table = row.closest("[data-lines]");
        var inputs = $all("input:not([type=hidden])", row);
        var index = inputs.indexOf(el);
        if (index < inputs.length - 1) {
          inputs[index + 1].focus();
          return;
        }
        var next = row.nextElementSibling;
        if (!next && table && el.value !== "") { next = addLine(table); }
        if (next) {
          var first = next.querySelector("input:not([type=hidden])");
          if (first) { first.focus(); return; }
        }
      }
      var controls = formControls(form);
      var position = controls.indexOf(el);
      var following = controls[position + 1];
      if (following) { following.focus(); }
    });
  }

  /* ± button beside an input: flip the sign of the number (phone keypads often lack a minus key). */
  function initSignToggle() {
    $all("[data-toggle-sign]").forEach(function (button) {
      var input = document.getElementById(button.getAttribute("data-toggle-sign"));
      if (!input) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var value = (input.value || "").trim();
        if (value === "" || value === "-") {
          input.value = value === "-" ? "" : "-";
        } else if (value.charAt(0) === "-") {
          input.value = value.slice(1);
        } else {
          input.value = "-" + value.replace(/^\+/, "");
        }
        /* type=number refuses a lone "-": fall back to focusing so the user can type it. */
        input.focus();
      });
    });
  }

  /* data-decimal text inputs: accept a decimal comma (phone keypads in many locales) and send a dot.
     Delegated, so lines added later by "Add line" are covered too. */
  function normaliseDecimal(input) {
    var value = input.value.replace(/\s+/g, "");
    if (value.indexOf(",") !== -1 && value.indexOf(".") === -1) { value = value.replace(",", "."); }
    if (value !== input.value) { input.value = value; }
  }

  function initDecimalInputs() {
    document.addEventListener("change", function (event) {
      var el = event.target;
      if (el && el.matches && el.matches("input[data-decimal]")) { normaliseDecimal(el); }
    });
    /* Capture phase: runs before the browser builds the form data. */
    document.addEventListener("submit", function (event) {
      $all("input[data-decimal]", event.target).forEach(normaliseDecimal);
    }, true);
  }

  /* ------------------------------------------------------------ multi-line forms (transfer, count) */

  var LINE_NAME = /^(.*?-)(\d+)(-.*)$/;

  function renumber(value, index) {
    var match = LINE_NAME.exec(value || "");
    return match ? match[1] + index + match[3] : value;
  }

  function nextLineIndex(table) {
    var highest = -1;
    $all("[data-line] [name]", table).forEach(function (el) {
      var match = LINE_NAME.exec(el.getAttribute("name"));
      if (match) { highest = Math.max(highest, parseInt(match[2], 10)); }
    });
    return highest + 1;
  }

  /* Clone the last row as an empty line N (lines-N-sku / lines-N-quantity); returns the new row or null. */
  function addLine(table) {
    var body = table.tBodies[0];
    var rows = $all("[data-line]", body);
    var max = parseInt(table.getAttribute("data-max") || "0", 10);
    if (!rows.length || (max && rows.length >= max)) { return null; }
    var last = rows[rows.length - 1];
    var index = nextLineIndex(table);
    var row = last.cloneNode(true);

    $all("[name]", row).forEach(function (el) { el.setAttribute("name", renumber(el.getAttribute("name"), index)); });
    $all("[id]", row).forEach(function (el) { el.id = renumber(el.id, index); });
    $all("label[for]", row).forEach(function (label) { label.setAttribute("for", renumber(label.getAttribute("for"), index)); });
    $all("[aria-describedby]", row).forEach(function (el) { el.removeAttribute("aria-describedby"); });
    $all("[aria-invalid]", row).forEach(function (el) { el.removeAttribute("aria-invalid"); });
    $all(".field-errors", row).forEach(function (el) { el.remove(); });
    $all("input", row).forEach(function (input) {
      if (input.type !== "hidden") { input.value = ""; }
      input.removeAttribute("autofocus");
      input.removeAttribute("value");
    });

    var number = rows.length + 1;
    var cell = row.querySelector("[data-line-no]");
    if (cell) { cell.textContent = String(number); }
    $all("[data-line-label]", row).forEach(function (label) {
      label.textContent = label.textContent.replace(/\d+\s*$/, String(number));
    });

    body.appendChild(row);
    updateAddButtons(table);
    return row;
  }

  function updateAddButtons(table) {
    var max = parseInt(table.getAttribute("data-max") || "0", 10);
    var count = $all("[data-line]", table).length;
    $all("[data-add-line='" + table.id + "']").forEach(function (button) {
      button.disabled = Boolean(max && count >= max);
    });
  }

  function initLines() {
    $all("[data-add-line]").forEach(function (button) {
      var table = document.getElementById(button.getAttribute("data-add-line"));
      if (!table) { return; }
      button.hidden = false;
      updateAddButtons(table);
      button.addEventListener("click", function () {
        var row = addLine(table);
        if (row) {
          var first = row.querySelector("input:not([type=hidden])");
          if (first) { first.focus(); }
        }
      });
    });
  }

  /* ------------------------------------------------------------ copy to clipboard */

  function initCopy() {
    $all("[data-copy-target]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy-target"));
      if (!source) { return; }
      var status = document.querySelector("[data-copy-status]");
      var label = button.textContent;
      button.hidden = false;

      function done(ok) {
        if (status) { status.textContent = ok ? "Copied to the clipboard." : "Select the text and copy it by hand."; }
        button.textContent = ok ? "Copied ✓" : label;
        window.setTimeout(function () { button.textContent = label; }, 2500);
      }

      button.addEventListener("click", function () {
        var text = "value" in source ? source.value : source.textContent;
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () { done(true); }, function () { fallback(); });
        } else {
          fallback();
        }

        function fallback() {
          var ok = false;
          if (typeof source.select === "function") {
            source.focus();
            source.select();
            try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
          }
          done(ok);
        }
      });
    });

    $all("[data-select-on-focus]").forEach(function (input) {
      input.addEventListener("focus", function () { input.select(); });
    });
  }

  ready(function () {
    initNavToggle();
    initDropdowns();
    initTabs();
    initFlashes();
    initConfirm();
    initSubmitOnce();
    initAutosubmit();
    initRemember();
    initEnterNext();
    initSignToggle();
    initDecimalInputs();
    initLines();
    initCopy();
    focusFirstInvalid();
  });
}());
