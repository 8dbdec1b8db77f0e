// Staff case queue: refresh the list in place every few seconds, keeping the filters.
// The fragment is rendered (and escaped) by the server; it is parsed, never eval'd.
(function () {
  "use strict";
  var list = document.getElementById("case-list");
  if (!list || !window.fetch || !window.DOMParser) return;
  var seconds = parseInt(list.dataset.refreshS, 10) || 10;

  function refresh() {
    var url = new URL(window.location.href);
    url.searchParams.set("partial", "1");
    fetch(url.toString(), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (res) {
        if (res.redirected || res.status === 401 || res.status === 303) {
          window.location.assign("/staff/login?next=" + encodeURIComponent(window.location.pathname + window.location.search));
          return null;
        }
        return res.ok ? res.text() : null;
      })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("case-list");
        var current = document.getElementById("case-list");
        if (fresh && current) current.replaceWith(document.importNode(fresh, true));
      })
      .catch(function () { /* offline for a moment: try again next time */ })
      .finally(function () { window.setTimeout(refresh, seconds * 1000); });
  }
  window.setTimeout(refresh, seconds * 1000);
})();
