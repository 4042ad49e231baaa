// Live reload for authors: polls /api/v1/live and reloads the page when an edit affects it,
// keeping the scroll position. Only included when the server runs with --watch.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="selfserve-generation"]');
  if (!meta) return;
  var since = meta.getAttribute("content");
  var key = "selfserve-scroll:" + location.pathname + location.search;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    window.scrollTo(0, parseInt(saved, 10) || 0);
  }
  function poll() {
    var url = "/api/v1/live?since=" + encodeURIComponent(since) +
      "&page=" + encodeURIComponent(location.pathname);
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (answer && answer.reload) {
          sessionStorage.setItem(key, String(window.scrollY));
          location.reload();
          return;
        }
        if (answer) since = String(answer.generation);
        setTimeout(poll, 700);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 700);
})();
