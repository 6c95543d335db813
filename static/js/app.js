// backlog's small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Sign-up: preselect the browser's own time zone.
  function fillTimezone(root) {
    root.querySelectorAll("select[data-browser-timezone]").forEach(function (select) {
      if (select.dataset.filled) return;
      select.dataset.filled = "1";
      var zone;
      try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
      if (!zone || select.value !== "UTC") return;
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === zone) { select.value = zone; break; }
      }
    });
  }

  // The leg question only matters when the pain spreads; clear it when it does not.
  function syncLeg(form) {
    var group = form.querySelector("[data-leg-group]");
    if (!group) return;
    var spread = form.querySelector("input[name=spread]:checked");
    var stays = !spread || spread.value === "none";
    group.hidden = stays;
    if (stays) {
      group.querySelectorAll("input[name=leg]").forEach(function (input) { input.checked = false; });
    }
  }

  function wireLeg(root) {
    root.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-leg-group]") || form.dataset.legWired) return;
      form.dataset.legWired = "1";
      syncLeg(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "spread") syncLeg(form);
      });
    });
  }

  // After an htmx swap, move focus to what matters: seek-care advice first, else the first
  // field with an error, else the advice heading.
  function focusAfterSwap(root) {
    var target = root.querySelector(".seek-care-now") ||
      root.querySelector("[aria-invalid=true] input, .is-invalid, .field-errors") ||
      root.querySelector("#advice-heading");
    if (!target) return;
    if (!target.hasAttribute("tabindex") && !/^(INPUT|SELECT|TEXTAREA|A|BUTTON)$/.test(target.tagName)) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "start" });
  }

  // Browsers skip a radio group's unchecked choices on Tab, so picking "7" would need the
  // arrow keys. Here Tab and Shift+Tab step through a group's choices one by one (Space
  // chooses) and leave the group at either end, as they would anyway.
  function choiceRadios(group) {
    return Array.prototype.filter.call(group.querySelectorAll("input[type=radio]"), function (radio) {
      return !radio.disabled && radio.getClientRects().length > 0;
    });
  }

  function tabThroughChoices(event) {
    if (event.key !== "Tab" || event.altKey || event.ctrlKey || event.metaKey) return;
    var radio = event.target;
    if (!radio.matches || !radio.matches(".choice-group input[type=radio]")) return;
    var radios = choiceRadios(radio.closest(".choice-group"));
    var next = radios[radios.indexOf(radio) + (event.shiftKey ? -1 : 1)];
    if (!next) return;
    event.preventDefault();
    next.focus();
  }

  function announceTabChoices(root) {
    root.querySelectorAll("[data-tab-choices]").forEach(function (hint) { hint.hidden = false; });
  }

  // The header's menu (a <details>) also closes with Escape, and when focus or a tap
  // goes elsewhere.
  function closeMenus(except) {
    document.querySelectorAll("details.site-menu[open]").forEach(function (menu) {
      if (menu !== except) menu.open = false;
    });
  }

  document.addEventListener("keydown", function (event) {
    tabThroughChoices(event);
    if (event.key === "Escape") {
      var menu = event.target.closest && event.target.closest("details.site-menu[open]");
      if (menu) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    }
  });
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest && event.target.closest("details.site-menu"));
  });
  document.addEventListener("focusin", function (event) {
    closeMenus(event.target.closest && event.target.closest("details.site-menu"));
  });

  function init(root) {
    fillTimezone(root);
    wireLeg(root);
    announceTabChoices(root);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.detail.elt;
    if (!root || !root.querySelector) return;
    init(root.parentNode || root);
    if (event.detail.requestConfig && event.detail.requestConfig.verb === "post" && root.id !== "history" && root.id !== "trends") {
      focusAfterSwap(root);
    }
  });
})();

// "Print or save as PDF" buttons (no inline handlers: the CSP forbids them).
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (button) window.print();
});
