// The outbox: flare-ups logged on this phone without a connection, kept in IndexedDB until
// the server has acknowledged them. The log page loads this file, and the service worker
// carries it too (advice.installable puts it in /sw.js) to send the outbox on a Background
// Sync, so it uses only what a page and a worker both have.
(function (scope) {
  "use strict";

  const DB_NAME = "backlog";
  const DB_VERSION = 1;
  const OUTBOX = "outbox";
  const META = "meta";
  const DAY_MS = 24 * 60 * 60 * 1000;

  let opening = null;

  function database() {
    if (opening) return opening;
    opening = new Promise(function (resolve, reject) {
      const request = scope.indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function () {
        const db = request.result;
        if (!db.objectStoreNames.contains(OUTBOX)) {
          const store = db.createObjectStore(OUTBOX, { keyPath: "seq", autoIncrement: true });
          store.createIndex("user", "user");
          // One entry per one-time token: a double tap saves the flare-up once.
          store.createIndex("token", "token", { unique: true });
        }
        if (!db.objectStoreNames.contains(META)) db.createObjectStore(META, { keyPath: "key" });
      };
      request.onsuccess = function () {
        const db = request.result;
        db.onversionchange = function () { db.close(); opening = null; };
        resolve(db);
      };
      request.onerror = function () { opening = null; reject(request.error); };
    });
    return opening;
  }

  async function inStore(name, mode, work) {
    const db = await database();
    return new Promise(function (resolve, reject) {
      const transaction = db.transaction(name, mode);
      const request = work(transaction.objectStore(name));
      transaction.oncomplete = function () { resolve(request ? request.result : undefined); };
      transaction.onerror = function () { reject(transaction.error); };
      transaction.onabort = function () { reject(transaction.error); };
    });
  }

  function add(entry) { return inStore(OUTBOX, "readwrite", function (store) { return store.add(entry); }); }
  function put(entry) { return inStore(OUTBOX, "readwrite", function (store) { return store.put(entry); }); }
  function remove(seq) { return inStore(OUTBOX, "readwrite", function (store) { return store.delete(seq); }); }

  // This person's entries, oldest first; another account's entries on the phone stay unseen.
  async function entriesFor(user) {
    const entries = await inStore(OUTBOX, "readonly", function (store) {
      return store.index("user").getAll(user);
    });
    return entries.sort(function (a, b) { return a.seq - b.seq; });
  }

  // Who is logged in, as the pages last told the service worker (null after a log-out).
  function setSession(user) {
    return inStore(META, "readwrite", function (store) { return store.put({ key: "session", user: user }); });
  }
  async function session() {
    const found = await inStore(META, "readonly", function (store) { return store.get("session"); });
    return found ? found.user : null;
  }

  function tooOld(entry, maxAgeDays) {
    return Date.now() - Date.parse(entry.loggedAt) > maxAgeDays * DAY_MS;
  }

  function hasCode(answer, code) {
    const errors = (answer && answer.errors) || {};
    return Object.keys(errors).some(function (field) {
      return (errors[field] || []).some(function (error) { return error.code === code; });
    });
  }

  // Send one entry. The outcome says what became of it:
  //   "sent": the server stored it (or had already: its one-time token makes a resend harmless);
  //   "rejected": the server refused it and said why; "confirm": older than the server takes
  //   without the patient's say-so; "offline": no answer at all; "later": an answer that is
  //   not the quick log's (a login page after the session ended, a refused token, an error);
  //   "elsewhere": another account is logged in now.
  async function send(entry, options) {
    const body = new URLSearchParams(entry.fields);
    body.set("client_token", entry.token);
    body.set("logged_at", entry.loggedAt);
    body.set("outbox_user", String(entry.user));
    if (entry.confirmed) body.set("logged_at_confirmed", "on");
    let response;
    try {
      response = await scope.fetch(options.logUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": options.csrfToken || "" },
      });
    } catch (error) {
      return { outcome: "offline" };
    }
    let answer = null;
    if ((response.headers.get("Content-Type") || "").indexOf("application/json") === 0) {
      try { answer = await response.json(); } catch (error) { answer = null; }
    }
    if (response.ok && answer && answer.episode) return { outcome: "sent", answer: answer };
    if (answer && response.status === 409) return { outcome: "elsewhere" };
    if (answer && response.status >= 400 && response.status < 500) {
      if (hasCode(answer, "too_old")) return { outcome: "confirm" };
      return { outcome: "rejected", message: answer.message || "" };
    }
    return { outcome: "later", loginNeeded: response.redirected };
  }

  // Send this person's waiting entries, oldest first. An entry leaves the outbox only when
  // the server acknowledged it; a refused one stays, marked, for the patient to see. Stops
  // at the first entry that gets no answer, so the rest keep their order.
  async function sendAll(options) {
    const summary = { sent: 0, problem: null, loginNeeded: false };
    const entries = await entriesFor(options.user);
    for (const entry of entries) {
      if (entry.status !== "waiting") continue;
      if (!entry.confirmed && tooOld(entry, options.maxAgeDays)) {
        entry.status = "confirm";
        await put(entry);
        continue;
      }
      const result = await send(entry, { logUrl: options.logUrl, csrfToken: await options.csrfToken() });
      if (result.outcome === "sent") {
        await remove(entry.seq);
        summary.sent += 1;
      } else if (result.outcome === "confirm" || result.outcome === "rejected") {
        entry.status = result.outcome;
        entry.message = result.message || "";
        await put(entry);
      } else {
        summary.problem = result.outcome;
        summary.loginNeeded = Boolean(result.loginNeeded);
        break;
      }
    }
    return summary;
  }

  // One sender at a time across the page and the worker (a resend would be harmless anyway).
  function flush(options) {
    const locks = scope.navigator && scope.navigator.locks;
    if (locks) return locks.request("backlog-outbox", function () { return sendAll(options); });
    return sendAll(options);
  }

  scope.BacklogOutbox = {
    add: add,
    put: put,
    remove: remove,
    entriesFor: entriesFor,
    setSession: setSession,
    session: session,
    tooOld: tooOld,
    flush: flush,
    SYNC_TAG: "backlog-outbox",
  };
})(self);
