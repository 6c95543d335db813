// backlog as an installable app: register the service worker (/sw.js, the whole site) and
// tell it who is logged in, so that a Background Sync only ever sends that person's outbox.
(function () {
  "use strict";
  const script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script || !script.dataset.serviceWorker) return;
  const user = script.dataset.user ? Number(script.dataset.user) : null;

  function tellWorker(registration) {
    if (registration.active) registration.active.postMessage({ type: "session", user: user });
  }

  // Without a connection the worker already in place keeps serving; no point asking for it.
  if (navigator.onLine) {
    navigator.serviceWorker.register(script.dataset.serviceWorker).catch(function () {});
  }
  navigator.serviceWorker.ready.then(tellWorker);
})();
