// After an escalated reply, offer the worker a way to leave contact details, with explicit
// consent, for the safeguarding lead (POST /api/contact). Independent of chat.js: it watches
// the conversation for an escalated turn.
(function () {
  "use strict";
  var offer = document.getElementById("contact-offer");
  var list = document.getElementById("conversation");
  if (!offer || !list || !window.fetch) return;
  var form = document.getElementById("contact-form");
  var value = document.getElementById("contact-value");
  var consent = document.getElementById("contact-consent");
  var status = document.getElementById("contact-status");
  var sessionEl = document.getElementById("session_id");
  var d = offer.dataset;

  function check() {
    if (offer.dataset.done !== "1" && list.querySelector(".turn.assistant.escalated")) {
      offer.hidden = false;
    }
  }
  function say(text) { status.textContent = text; status.hidden = false; }
  new MutationObserver(check).observe(list, { childList: true, subtree: true, attributes: true });
  check();

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!consent.checked || !value.value.trim() || !sessionEl.value) { say(d.invalid); return; }
    fetch("/api/contact", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ session_id: sessionEl.value, contact: value.value.trim(), consent: true })
    }).then(function (res) {
      if (res.status === 204) {
        offer.dataset.done = "1"; form.hidden = true; value.value = ""; say(d.saved);
      } else {
        say(res.status === 422 ? d.invalid : d.error);
      }
    }).catch(function () { say(d.error); });
  });
})();
