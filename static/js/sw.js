// backlog's service worker. advice.views.app serves it at /sw.js (so its scope is the whole
// site) after its configuration (self.BACKLOG_WORKER) and static/js/outbox.js.
//
// It keeps the log page opening without a connection: the page itself (the last one the
// network gave, so a log-out replaces it), and the static files that page really uses, read
// from its own <link> and <script> tags (hashed names in production, plain ones under DEBUG).
// It sends the outbox on a Background Sync. It never answers a POST: logging goes to the
// server, or to the outbox in IndexedDB (static/js/offline-log.js). Strict mode: the served
// script starts with "use strict".

const CONFIG = self.BACKLOG_WORKER;
const PAGES = "backlog-pages-v1";
const ASSETS = "backlog-assets-v1";
// On a connection that answers this slowly, the saved log page opens instead.
const NETWORK_PATIENCE_MS = 6000;
// whitenoise's manifest storage: name.0123456789ab.ext never changes its content.
const HASHED = /\.[0-9a-f]{12}\.[A-Za-z0-9]+$/;

self.addEventListener("install", function (event) {
  self.skipWaiting();
  event.waitUntil(
    fetch(CONFIG.home_url, { credentials: "same-origin" })
      .then(function (response) { return keepLogPage(response); })
      .catch(function () {})
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil((async function () {
    const names = await caches.keys();
    await Promise.all(names
      .filter(function (name) { return name.indexOf("backlog-") === 0 && name !== PAGES && name !== ASSETS; })
      .map(function (name) { return caches.delete(name); }));
    await self.clients.claim();
  })());
});

function isUsablePage(response) {
  return response && response.ok && response.type === "basic" && !response.redirected &&
    (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
}

// The static files a page loads, from its own tags.
function staticUrlsIn(html) {
  const urls = new Set();
  const tag = /<(?:link|script)\b[^>]*?\s(?:href|src)="([^"]+)"/g;
  let match;
  while ((match = tag.exec(html)) !== null) {
    const url = new URL(match[1].replace(/&amp;/g, "&"), self.location.origin);
    if (url.origin === self.location.origin && url.pathname.indexOf(CONFIG.static_url) === 0) {
      urls.add(url.href);
    }
  }
  return Array.from(urls);
}

async function keepLogPage(response) {
  if (!isUsablePage(response)) return;
  const html = await response.clone().text();
  const pages = await caches.open(PAGES);
  await pages.put(CONFIG.home_url, response);
  await keepAssets(staticUrlsIn(html));
  // The open log page says it works offline once all of this is kept.
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  windows.forEach(function (client) { client.postMessage({ type: "page-kept" }); });
}

// Fetch what the page uses and is not kept yet; drop what it no longer uses.
async function keepAssets(urls) {
  const assets = await caches.open(ASSETS);
  await Promise.all(urls.map(async function (url) {
    if (await assets.match(url, { ignoreVary: true })) return;
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.ok) await assets.put(url, response);
    } catch (error) {
      // Fetched again the next time the page is kept.
    }
  }));
  const wanted = new Set(urls);
  const kept = await assets.keys();
  await Promise.all(kept
    .filter(function (request) { return !wanted.has(request.url); })
    .map(function (request) { return assets.delete(request); }));
}

function patiently(promise, milliseconds) {
  return new Promise(function (resolve, reject) {
    const timer = setTimeout(function () { reject(new Error("slow network")); }, milliseconds);
    promise.then(
      function (value) { clearTimeout(timer); resolve(value); },
      function (error) { clearTimeout(timer); reject(error); }
    );
  });
}

// The log page: from the network when it answers (and kept for next time), else as kept.
async function logPage(event) {
  const network = fetch(event.request);
  // Registered first, so it copies the page before the browser reads it.
  event.waitUntil(network
    .then(function (response) { return isUsablePage(response) ? keepLogPage(response.clone()) : null; })
    .catch(function () {}));
  try {
    return await patiently(network, NETWORK_PATIENCE_MS);
  } catch (error) {
    const pages = await caches.open(PAGES);
    const kept = await pages.match(CONFIG.home_url, { ignoreVary: true, ignoreSearch: true });
    if (kept) return kept;
    return network.catch(offlinePage);
  }
}

// Any other page, when there is no connection: say so, and point to the log page.
async function offlinePage() {
  const assets = await caches.open(ASSETS);
  const styles = (await assets.keys())
    .map(function (request) { return request.url; })
    .filter(function (url) { return /\.css$/.test(new URL(url).pathname); })
    .map(function (url) { return '<link rel="stylesheet" href="' + url + '">'; })
    .join("");
  const html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">" +
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
    "<title>No connection · backlog</title>" + styles + "</head><body>" +
    "<main class=\"container py-4\"><h1 class=\"h3\">No connection</h1>" +
    "<p>This page needs a connection. The log page works without one: what you log there " +
    "is saved on this phone and sent when you are back online.</p>" +
    "<p><a class=\"btn btn-primary\" href=\"" + CONFIG.home_url + "\">Log a flare-up</a></p>" +
    "</main></body></html>";
  return new Response(html, {
    status: 503,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": "default-src 'self'; script-src 'none'; frame-ancestors 'none'",
    },
  });
}

// Static files: a hashed name never changes, so the kept copy serves; a plain name (DEBUG,
// tests) comes from the network while there is one, and refreshes the kept copy.
async function staticFile(event) {
  const request = event.request;
  const assets = await caches.open(ASSETS);
  const kept = await assets.match(request, { ignoreVary: true });
  if (kept && HASHED.test(new URL(request.url).pathname)) return kept;
  try {
    const response = await fetch(request);
    if (kept && response.ok) event.waitUntil(assets.put(request, response.clone()));
    return response;
  } catch (error) {
    if (kept) return kept;
    throw error;
  }
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (url.pathname === CONFIG.home_url) {
      event.respondWith(logPage(event));
    } else {
      event.respondWith(fetch(request).catch(offlinePage));
    }
    return;
  }
  if (url.pathname.indexOf(CONFIG.static_url) === 0) event.respondWith(staticFile(event));
});

// Pages say who is logged in (static/js/pwa.js), so that a sync sends only that person's
// outbox; after a log-out nobody's is sent until someone logs in.
self.addEventListener("message", function (event) {
  const data = event.data || {};
  if (data.type === "session") event.waitUntil(self.BacklogOutbox.setSession(data.user));
});

async function csrfToken() {
  if (!self.cookieStore) return "";
  const cookie = await self.cookieStore.get(CONFIG.csrf_cookie);
  return cookie ? cookie.value : "";
}

async function sendOutbox() {
  const user = await self.BacklogOutbox.session();
  if (user === null || user === undefined || !self.cookieStore) return;
  const summary = await self.BacklogOutbox.flush({
    user: user,
    logUrl: CONFIG.log_url,
    csrfToken: csrfToken,
    maxAgeDays: CONFIG.max_age_days,
  });
  const windows = await self.clients.matchAll({ type: "window" });
  windows.forEach(function (client) { client.postMessage({ type: "outbox-changed", sent: summary.sent }); });
  // No answer yet: let the browser try this sync again later.
  if (summary.problem === "offline") throw new Error("The outbox could not be sent yet.");
}

self.addEventListener("sync", function (event) {
  if (event.tag === self.BacklogOutbox.SYNC_TAG) event.waitUntil(sendOutbox());
});
