// Small helpers shared by the worker pages (chat, CV): safe element building and the language
// picker. Loaded before the page scripts; everything is inserted with textContent.
(function () {
  "use strict";
  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }
  // Changing the language reloads the page in it, keeping the chosen council.
  function wireLanguagePicker(langEl, councilEl) {
    if (!langEl) return;
    langEl.addEventListener("change", function () {
      var url = new URL(window.location.href);
      url.searchParams.set("lang", langEl.value);
      if (councilEl && councilEl.value) url.searchParams.set("council", councilEl.value);
      window.location.assign(url.toString());
    });
  }
  window.Harbour = { el: el, wireLanguagePicker: wireLanguagePicker };
})();
