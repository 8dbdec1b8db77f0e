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

  var el = window.Harbour.el;
  window.Harbour.wireLanguagePicker(langEl, councilEl);
  function safeUrl(u) {
    return /^(\/|https?:\/\/)/.test(u) ? u : "#";
  }
  function showError(msg) { errorEl.textContent = msg; errorEl.hidden = false; }
  var rtl = (d.rtl || "").split(" ");
  function dirOf(lang) { return rtl.indexOf(lang) >= 0 ? "rtl" : "ltr"; }

  // Text as DOM nodes, each phone number ("0300 790 6268") in <bdi dir="ltr"> so that it
  // reads left to right inside Urdu (same pattern as the ltr_numbers filter in pages.py).
  function numbersLtr(parent, text) {
    var re = /\+?\d+(?:[ \u00a0]\d+)+/g, last = 0, m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      var b = el("bdi", "", m[0]); b.setAttribute("dir", "ltr"); parent.appendChild(b);
      last = re.lastIndex;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
    return parent;
  }
  // An escalated reply starts with the fixed safety text, then a blank line: shown first, apart.
  function replyBody(text, lang, escalated) {
    var body = el("div", "reply");
    body.setAttribute("lang", lang); body.setAttribute("dir", dirOf(lang));
    var cut = escalated ? text.indexOf("\n\n") : -1;
    if (escalated) {
      body.appendChild(numbersLtr(el("p", "safety"), cut < 0 ? text : text.slice(0, cut)));
    }
    var rest = escalated ? (cut < 0 ? "" : text.slice(cut + 2)) : text;
    if (rest) body.appendChild(numbersLtr(el("p", "answer"), rest));
    return body;
  }

  function addQuestion(question) {
    var u = el("li", "turn user");
    u.appendChild(el("span", "who", d.you));
    var q = el("p", "", question); q.setAttribute("dir", "auto");
    u.appendChild(q);
    list.appendChild(u);
  }
  function addAnswer() {
    var a = el("li", "turn assistant");
    a.appendChild(el("span", "who", d.assistant));
    list.appendChild(a);
    return a;
  }
  // Fill (or refill) an answer turn with a reply shaped like POST /api/chat's.
  function fill(a, r) {
    while (a.childNodes.length > 1) a.removeChild(a.lastChild);
    a.className = "turn assistant" + (r.escalated ? " escalated" : "");
    a.appendChild(replyBody(r.reply, r.language, r.escalated));
    if (r.citations && r.citations.length) {
      var s = el("div", "sources");
      s.appendChild(el("h2", "", d.sources));
      var ul = el("ul");
      r.citations.forEach(function (c) {
        var li = el("li"); var link = el("a", "", c.title);
        var guide = c.url.indexOf("/guide/") === 0;
        link.href = safeUrl(c.url) + (guide ? "?lang=" + encodeURIComponent(r.language) : "");
        link.setAttribute("dir", "auto");
        if (!guide) link.rel = "noopener noreferrer";
        li.appendChild(link); ul.appendChild(li);
      });
      s.appendChild(ul); a.appendChild(s);
    }
    if (r.reply_english) {
      var det = el("details", "english");
      det.appendChild(el("summary", "", d.showEnglish));
      det.appendChild(replyBody(r.reply_english, "en", r.escalated)); a.appendChild(det);
    }
  }
  function render(question, r) {
    addQuestion(question);
    var a = addAnswer();
    fill(a, r);
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
    var payload = JSON.stringify({
      message: text,
      session_id: sessionEl.value || null,
      // an explicit choice (the picker, which reloads with ?lang=) wins over detection
      language: new URL(window.location.href).searchParams.get("lang") ? langEl.value : null,
      local_authority: councilEl.value || null,
      message_id: (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : null
    });
    var streams = d.stream === "1" && window.ReadableStream && window.TextDecoder;
    (streams ? sendStreaming(text, payload) : sendOnce(text, payload))
      .catch(function () { showError(d.errorGeneric); })
      .finally(function () { send.disabled = false; send.textContent = d.send; box.focus(); });
  });

  function answered(data) {
    sessionEl.value = data.session_id;
    if (forgetForm) {
      forgetEl.value = data.session_id; forgetForm.hidden = false; deletedEl.hidden = true;
    }
    box.value = "";
  }
  function refused(res) {
    return res.json().then(function (data) {
      showError((data.error && data.error.message) || d.errorGeneric);
    });
  }

  function sendOnce(text, payload) {
    return fetch("/api/chat", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: payload
    }).then(function (res) {
      if (!res.ok) return refused(res);
      return res.json().then(function (data) { answered(data); render(text, data); });
    });
  }

  // POST /api/chat/stream: server-sent events. "token" events show the answer as it is
  // written; the "final" event (the checked answer, same fields as /api/chat) replaces it.
  function sendStreaming(text, payload) {
    return fetch("/api/chat/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "text/event-stream" },
      body: payload
    }).then(function (res) {
      if (!res.ok) return refused(res);
      addQuestion(text);
      var a = addAnswer();
      var live = el("div", "reply streaming", "");
      live.setAttribute("lang", d.lang); live.setAttribute("dir", "auto");
      a.appendChild(live);
      a.scrollIntoView({ block: "start" });
      list.setAttribute("aria-busy", "true");
      var reader = res.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      var done = false;
      function handle(block) {
        var name = "message", data = "";
        block.split("\n").forEach(function (line) {
          if (line.indexOf("event:") === 0) name = line.slice(6).trim();
          else if (line.indexOf("data:") === 0) data += line.slice(5).trim();
        });
        if (!data) return;
        var msg = JSON.parse(data);
        if (name === "token") live.textContent += msg.text;
        else if (name === "final") { done = true; fill(a, msg); answered(msg); }
        else if (name === "error") {
          done = true; list.removeChild(a.previousSibling); list.removeChild(a);
          showError((msg.error && msg.error.message) || d.errorGeneric);
        }
      }
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.value) buffer += decoder.decode(chunk.value, { stream: true });
          var parts = buffer.split("\n\n");
          buffer = parts.pop();
          parts.forEach(handle);
          if (!chunk.done) return pump();
          if (buffer.trim()) handle(buffer);
          if (!done) throw new Error("stream ended early");
        });
      }
      return pump().finally(function () { list.removeAttribute("aria-busy"); });
    });
  }
})();
