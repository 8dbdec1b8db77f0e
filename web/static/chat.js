// Progressive enhancement: send the chat form with fetch and render replies in place.
// Everything from the server is inserted with textContent, never innerHTML.
(function () {
  "use strict";
  var form = document.getElementById("chat-form");
  if (!form || !window.fetch) return;
  var d = form.dataset;
  var list = document.getElementById("conversation");
  var box = document.getElementById("message");
  var send = document.getElementById("send");
  var errorEl = document.getElementById("error");
  var sessionEl = document.getElementById("session_id");
  var langEl = document.getElementById("lang");
  var councilEl = document.getElementById("council");

  langEl.addEventListener("change", function () {
    var url = new URL(window.location.href);
    url.searchParams.set("lang", langEl.value);
    if (councilEl.value) url.searchParams.set("council", councilEl.value);
    window.location.assign(url.toString());
  });

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }
  function safeUrl(u) {
    return /^(\/|https?:\/\/)/.test(u) ? u : "#";
  }
  function showError(msg) { errorEl.textContent = msg; errorEl.hidden = false; }

  function render(question, r) {
    var u = el("li", "turn user");
    u.appendChild(el("span", "who", d.you));
    u.appendChild(el("p", "", question));
    list.appendChild(u);
    var a = el("li", "turn assistant" + (r.escalated ? " escalated" : ""));
    a.appendChild(el("span", "who", d.assistant));
    var body = el("div", "reply", r.reply);
    body.setAttribute("lang", r.language);
    a.appendChild(body);
    if (r.citations && r.citations.length) {
      var s = el("div", "sources");
      s.appendChild(el("h2", "", d.sources));
      var ul = el("ul");
      r.citations.forEach(function (c) {
        var li = el("li"); var link = el("a", "", c.title);
        link.href = safeUrl(c.url) + (c.url.indexOf("/guide/") === 0 ? "?lang=" + r.language : "");
        li.appendChild(link); ul.appendChild(li);
      });
      s.appendChild(ul); a.appendChild(s);
    }
    if (r.reply_english) {
      var det = el("details", "english");
      det.appendChild(el("summary", "", d.showEnglish));
      var en = el("div", "reply", r.reply_english);
      en.setAttribute("lang", "en"); en.setAttribute("dir", "ltr");
      det.appendChild(en); a.appendChild(det);
    }
    list.appendChild(a);
    a.scrollIntoView({ block: "start" });
  }

  // "Delete this conversation": DELETE /api/sessions/{token}, then forget it here too.
  var forgetForm = document.getElementById("forget-form");
  var forgetEl = document.getElementById("forget_session_id");
  var deletedEl = document.getElementById("deleted");
  if (forgetForm) {
    forgetForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var token = forgetEl.value || sessionEl.value;
      if (!token || !window.confirm(forgetForm.dataset.confirm)) return;
      fetch("/api/sessions/" + encodeURIComponent(token), { method: "DELETE" })
        .then(function (res) {
          if (!res.ok && res.status !== 404) { showError(d.errorGeneric); return; }
          sessionEl.value = ""; forgetEl.value = "";
          while (list.firstChild) list.removeChild(list.firstChild);
          forgetForm.hidden = true; deletedEl.hidden = false;
        })
        .catch(function () { showError(d.errorGeneric); });
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    errorEl.hidden = true;
    var text = box.value.trim();
    if (!text) { showError(d.errorEmpty); return; }
    if (text.length > 4000) { showError(d.errorTooLong); return; }
    send.disabled = true; send.textContent = d.sending;
    fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        message: text,
        session_id: sessionEl.value || null,
        // an explicit choice (the picker, which reloads with ?lang=) wins over detection
        language: new URL(window.location.href).searchParams.get("lang") ? langEl.value : null,
        local_authority: councilEl.value || null,
        message_id: (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : null
      })
    }).then(function (res) {
      return res.json().then(function (data) { return { ok: res.ok, data: data }; });
    }).then(function (r) {
      if (!r.ok) { showError((r.data.error && r.data.error.message) || d.errorGeneric); return; }
      sessionEl.value = r.data.session_id;
      if (forgetForm) {
        forgetEl.value = r.data.session_id; forgetForm.hidden = false; deletedEl.hidden = true;
      }
      render(text, r.data);
      box.value = "";
    }).catch(function () { showError(d.errorGeneric); })
      .finally(function () { send.disabled = false; send.textContent = d.send; box.focus(); });
  });
})();
