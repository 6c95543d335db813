// The quick log without a connection. With no signal a log goes into this phone's outbox
// (static/js/outbox.js) with its one-time token and the time it was logged, red flags are
// answered at once from the rules the page carries (static/js/red-flags.js), and the outbox
// is sent, oldest first, when the connection comes back (the `online` event, a Background
// Sync in the service worker, the next time this page opens). With a connection the form
// posts as it always has (htmx, or a plain post without JavaScript).
(function () {
  "use strict";

  function readJson(id) {
    const element = document.getElementById(id);
    if (!element) return null;
    try { return JSON.parse(element.textContent); } catch (error) { return null; }
  }

  const outbox = self.BacklogOutbox;
  const redFlags = self.BacklogRedFlags;
  const config = readJson("offline-config");
  const rules = readJson("offline-rules");
  if (!outbox || !redFlags || !config || !rules || !self.indexedDB) return;

  const FORM = "form[data-offline-log]";
  const SAVED = "Saved on this phone. It will be sent when you are back online.";
  const SENT = "Sent: it is in your diary now.";
  // Regions of the page that show the diary, redrawn once the outbox has been sent.
  const DIARY_REGIONS = ["latest", "trends", "history"];
  const MAX_RETRY_MS = 60000;

  // Forms htmx is sending, with what they said, in case the connection drops on the way.
  const sending = new WeakMap();
  let flushing = null;
  let flushAgain = false;
  let retryDelay = 0;
  let retryTimer = null;

  function element(tag, attributes, children) {
    const node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    [].concat(children === undefined ? [] : children).forEach(function (child) { node.append(child); });
    return node;
  }

  function say(text) {
    const status = document.querySelector("[data-offline-status]");
    if (status) status.textContent = text;
  }

  function newToken() {
    if (self.crypto && self.crypto.randomUUID) return self.crypto.randomUUID();
    const bytes = self.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, function (byte) { return byte.toString(16).padStart(2, "0"); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function tokenInput(form) { return form.querySelector("input[name=client_token]"); }

  function csrfToken() {
    const prefix = config.csrf_cookie + "=";
    const cookie = document.cookie.split("; ").find(function (part) { return part.indexOf(prefix) === 0; });
    if (cookie) return decodeURIComponent(cookie.slice(prefix.length));
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // The answers as name/value pairs; the sender adds the token and a fresh CSRF token.
  function fieldsOf(form) {
    const fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "client_token") fields.push([name, String(value)]);
    });
    return fields;
  }

  function answersOf(fields) {
    const answers = { side: "", spread: "none", leg: "" };
    fields.forEach(function (field) {
      if (field[1] === "on") answers[field[0]] = true;
      else if (field[0] in answers) answers[field[0]] = field[1];
    });
    return answers;
  }

  function missingAnswers(fields) {
    const answers = new Map(fields);
    const missing = [];
    ["intensity", "side", "spread"].forEach(function (name) {
      if (!answers.has(name)) missing.push(config.required[name]);
    });
    if (answers.has("spread") && answers.get("spread") !== "none" && !answers.has("leg")) {
      missing.push(config.required.leg);
    }
    return missing;
  }

  function chosenLabel(form, name) {
    const input = form.querySelector("input[name=" + name + "]:checked");
    return input && input.labels && input.labels[0] ? input.labels[0].textContent.trim() : "";
  }

  function describe(form) {
    const intensity = form.querySelector("input[name=intensity]:checked");
    return [
      intensity ? intensity.value + "/10" : "",
      chosenLabel(form, "side"),
      chosenLabel(form, "spread"),
      chosenLabel(form, "leg"),
    ].filter(Boolean).join(", ");
  }

  function when(iso) {
    return new Date(iso).toLocaleString("en-GB", {
      weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    });
  }

  function focusOn(node) {
    if (!node) return;
    if (!node.hasAttribute("tabindex")) node.setAttribute("tabindex", "-1");
    node.focus({ preventScroll: true });
    node.scrollIntoView({ block: "start" });
  }

  // What the page says right after a log kept on the phone: where it is, and the emergency
  // or urgent advice its red flags call for, as the server would have said it.
  function showSaved(form, prompts) {
    const panel = form.closest("#log-panel") || form.parentNode;
    panel.querySelectorAll("[data-offline-saved]").forEach(function (old) { old.remove(); });
    // Advice about an earlier flare-up would read as advice about this one.
    panel.querySelectorAll("#advice").forEach(function (old) { old.hidden = true; });
    const heading = element("h2", { class: "h4", id: "offline-saved-heading", tabindex: "-1" }, SAVED);
    const section = element("section", {
      class: "advice mb-3", "data-offline-saved": "", "aria-labelledby": "offline-saved-heading",
    }, heading);
    Object.keys(rules.levels).forEach(function (level) {
      const group = prompts.filter(function (prompt) { return prompt.level === level; });
      if (!group.length) return;
      const about = rules.levels[level];
      const box = element("div", {
        class: "level-group level-" + level + " alert alert-" + about.style + " seek-care-now",
        role: "alert",
        "data-level": level,
      }, element("p", { class: "level-heading mb-2" }, [
        element("span", { class: "level-name" }, about.label), " " + about.meaning,
      ]));
      group.forEach(function (prompt) {
        box.append(element("div", {
          class: "prompt prompt-" + level, "data-level": level, "data-code": prompt.code,
        }, [
          element("h3", { class: "h5 prompt-title" }, prompt.title),
          element("p", { class: "mb-1" }, prompt.message),
          element("p", { class: "small mb-0" }, element("span", { class: "source" }, "Source: " + prompt.source)),
        ]));
      });
      section.append(box);
    });
    section.append(element("p", { class: "small text-body-secondary mb-0" }, rules.disclaimer));
    panel.insertBefore(section, panel === form.parentNode ? form : panel.firstChild);
    focusOn(section.querySelector(".seek-care-now") || heading);
  }

  function clearProblems(form) {
    form.querySelectorAll("[data-offline-problems]").forEach(function (old) { old.remove(); });
  }

  function showProblems(form, problems) {
    const alert = element("div", { class: "alert alert-danger", role: "alert", "data-offline-problems": "" },
      "Nothing was saved yet: " + problems.join(" "));
    form.insertBefore(alert, form.firstChild);
    focusOn(alert);
  }

  // Ready for the next flare-up, with a token of its own.
  function freshForm(form) {
    form.reset();
    tokenInput(form).value = newToken();
    const spread = form.querySelector("input[name=spread]:checked");
    if (spread) spread.dispatchEvent(new Event("change", { bubbles: true }));
  }

  async function keep(form, said) {
    clearProblems(form);
    const missing = missingAnswers(said.fields);
    if (missing.length) {
      showProblems(form, missing);
      return;
    }
    try {
      await outbox.add({
        user: config.user,
        token: said.token,
        loggedAt: said.loggedAt,
        fields: said.fields,
        summary: describe(form),
        status: "waiting",
        message: "",
        confirmed: false,
      });
    } catch (error) {
      // The same form twice (a double tap) is kept once; anything else is a real failure.
      if (!error || error.name !== "ConstraintError") {
        showProblems(form, ["This phone could not keep it. Try again when you have a connection."]);
        return;
      }
    }
    showSaved(form, redFlags.evaluate(answersOf(said.fields), rules));
    freshForm(form);
    await showOutbox();
    askForSync();
    if (navigator.onLine) retryLater();
  }

  function askForSync() {
    if (!navigator.serviceWorker) return;
    navigator.serviceWorker.ready
      .then(function (registration) {
        if (registration.sync) return registration.sync.register(outbox.SYNC_TAG);
      })
      .catch(function () {});
  }

  function button(text, hiddenText, onClick) {
    const node = element("button", { type: "button", class: "btn btn-outline-primary btn-sm me-2" }, [
      text, element("span", { class: "visually-hidden" }, " " + hiddenText),
    ]);
    node.addEventListener("click", onClick);
    return node;
  }

  function entryItem(entry) {
    const logged = when(entry.loggedAt);
    const item = element("li", { class: "outbox-entry border-top py-2", "data-status": entry.status }, [
      element("p", { class: "mb-1" }, [element("strong", {}, entry.summary), ", logged " + logged]),
    ]);
    const which = "the flare-up logged " + logged;
    if (entry.status === "waiting") {
      item.append(element("p", { class: "small mb-0" }, "Waiting to be sent."));
    } else if (entry.status === "confirm") {
      item.append(element("p", { class: "mb-2" },
        "Logged more than " + config.max_age_days + " days ago. Keep it with the time it was logged, or discard it?"));
      item.append(button("Send with the original time", "(" + which + ")", function () { confirmEntry(entry); }));
      item.append(button("Discard", which, function () { discard(entry); }));
    } else {
      item.append(element("p", { class: "text-danger mb-2" }, "backlog did not accept it: " + entry.message));
      item.append(button("Discard", which, function () { discard(entry); }));
    }
    return item;
  }

  async function showOutbox() {
    const section = document.querySelector("[data-outbox]");
    const list = section && section.querySelector("[data-outbox-list]");
    if (!list) return [];
    const entries = await outbox.entriesFor(config.user);
    list.replaceChildren.apply(list, entries.map(entryItem));
    section.hidden = entries.length === 0;
    return entries;
  }

  async function confirmEntry(entry) {
    entry.status = "waiting";
    entry.confirmed = true;
    await outbox.put(entry);
    await showOutbox();
    sendNow();
  }

  async function discard(entry) {
    await outbox.remove(entry.seq);
    const entries = await showOutbox();
    say("Discarded: it will not be sent.");
    focusOn(entries.length ? document.getElementById("outbox-heading") : document.querySelector(FORM));
  }

  async function redrawDiary() {
    try {
      const response = await fetch(config.home_url, { credentials: "same-origin" });
      if (!response.ok || response.redirected) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      DIARY_REGIONS.forEach(function (id) {
        const shown = document.getElementById(id);
        const next = fresh.getElementById(id);
        if (!shown || !next) return;
        shown.replaceWith(next);
        if (self.htmx) self.htmx.process(next);
      });
    } catch (error) {
      // The diary on screen is a little behind; the next visit shows it all.
    }
  }

  function retryLater() {
    if (retryTimer) return;
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 2000, MAX_RETRY_MS);
    retryTimer = setTimeout(function () {
      retryTimer = null;
      if (navigator.onLine) sendNow();
    }, retryDelay);
  }

  async function afterSending(summary) {
    const entries = await showOutbox();
    if (summary.sent) {
      say(summary.sent === 1
        ? "1 flare-up saved on this phone has been sent."
        : summary.sent + " flare-ups saved on this phone have been sent.");
      if (!entries.some(function (entry) { return entry.status === "waiting"; })) {
        document.querySelectorAll("[data-offline-saved] h2").forEach(function (heading) { heading.textContent = SENT; });
      }
      redrawDiary();
    }
    if (!summary.problem) {
      retryDelay = 0;
    } else if (summary.loginNeeded) {
      say("Log in again to send what is saved on this phone.");
    } else if (summary.problem !== "elsewhere") {
      retryLater();
    }
  }

  // Send the outbox now; a call while it is being sent sends again afterwards.
  function sendNow() {
    if (flushing) {
      flushAgain = true;
      return flushing;
    }
    flushing = (async function () {
      let summary;
      try {
        summary = await outbox.flush({
          user: config.user,
          logUrl: config.log_url,
          csrfToken: csrfToken,
          maxAgeDays: config.max_age_days,
        });
      } catch (error) {
        summary = { sent: 0, problem: "later", loginNeeded: false };
      }
      await afterSending(summary);
    })().finally(function () {
      flushing = null;
      if (flushAgain) {
        flushAgain = false;
        sendNow();
      }
    });
    return flushing;
  }

  // Whether the service worker keeps this person's log page and every file it uses.
  async function keptForOffline() {
    const kept = await self.caches.match(config.home_url, { ignoreSearch: true, ignoreVary: true });
    if (!kept) return false;
    const copy = new DOMParser().parseFromString(await kept.text(), "text/html");
    const keptConfig = copy.getElementById("offline-config");
    if (!keptConfig || JSON.parse(keptConfig.textContent).user !== config.user) return false;
    const files = Array.from(document.querySelectorAll("link[href], script[src]"))
      .map(function (node) { return node.href || node.src; })
      .filter(function (url) { return url.indexOf(location.origin + config.static_url) === 0; });
    const found = await Promise.all(files.map(function (url) {
      return self.caches.match(url, { ignoreVary: true });
    }));
    return found.every(Boolean);
  }

  let ready = false;
  function announceReady() {
    if (ready || !navigator.serviceWorker || !self.caches) return;
    navigator.serviceWorker.ready
      .then(keptForOffline)
      .then(function (kept) {
        const status = document.querySelector("[data-offline-status]");
        if (!kept || ready || !status || status.textContent) return;
        ready = true;
        say("This page works offline: with no signal, what you log is saved on this phone and sent later.");
      })
      .catch(function () {});
  }

  // Without a connection, keep the log on the phone instead of letting htmx try to send it.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches(FORM)) return;
    const input = tokenInput(form);
    const said = {
      fields: fieldsOf(form),
      token: (input && input.value) || newToken(),
      loggedAt: new Date().toISOString(),
    };
    if (navigator.onLine) {
      sending.set(form, said);
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    keep(form, said);
  }, true);

  // Online, but the request never got an answer: keep it on the phone (its token makes the
  // resend harmless if the server did store it).
  function keepUnanswered(event) {
    const form = event.detail && event.detail.elt;
    const said = form && sending.get(form);
    if (!said) return;
    sending.delete(form);
    keep(form, said);
  }
  document.addEventListener("htmx:sendError", keepUnanswered);
  document.addEventListener("htmx:timeout", keepUnanswered);
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail && event.detail.successful) sending.delete(event.detail.elt);
  });

  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      const data = event.data || {};
      if (data.type === "page-kept") announceReady();
      if (data.type !== "outbox-changed") return;
      if (data.sent) afterSending({ sent: data.sent, problem: null });
      else showOutbox();
    });
  }

  window.addEventListener("online", function () {
    retryDelay = 0;
    sendNow();
  });

  // This page may be the copy the service worker kept: give each form a token of its own.
  document.querySelectorAll(FORM).forEach(function (form) {
    const input = tokenInput(form);
    if (input) input.value = newToken();
  });
  showOutbox().then(function () {
    if (navigator.onLine) sendNow();
  });
  announceReady();
})();
