// CV review page: uploads with XMLHttpRequest (for upload progress) and renders the report.
// Everything from the server is inserted with textContent, never innerHTML.
(function () {
  "use strict";
  var page = document.getElementById("cv-page");
  var form = document.getElementById("cv-form");
  if (!page || !form || !window.XMLHttpRequest || !window.FormData) return;
  var d = page.dataset;
  var fileEl = document.getElementById("file");
  var button = document.getElementById("submit");
  var progress = document.getElementById("progress");
  var statusEl = document.getElementById("status");
  var errorEl = document.getElementById("error");
  var report = document.getElementById("report");
  var langEl = document.getElementById("lang");
  var councilEl = document.getElementById("council");
  var maxBytes = parseInt(d.maxBytes, 10) || 5242880;

  var el = window.Harbour.el;
  window.Harbour.wireLanguagePicker(langEl, councilEl);
  function showError(msg) { errorEl.textContent = msg; errorEl.hidden = false; }
  function done() {
    button.disabled = false; button.textContent = d.submit;
    progress.hidden = true; statusEl.textContent = "";
  }

  function render(r) {
    document.getElementById("score").textContent = String(r.score);
    document.getElementById("hidden-warning").hidden = !r.hidden_text_found;
    var list = document.getElementById("findings");
    while (list.firstChild) list.removeChild(list.firstChild);
    if (!r.findings.length) list.appendChild(el("li", "finding low", d.noFindings));
    r.findings.forEach(function (f) {
      var sev = ["high", "medium", "low"].indexOf(f.severity) >= 0 ? f.severity : "low";
      var li = el("li", "finding " + sev);
      li.appendChild(el("span", "sev", d["sev" + sev.charAt(0).toUpperCase() + sev.slice(1)]));
      li.appendChild(el("p", "message", f.message));
      li.appendChild(el("p", "suggestion", f.suggestion));
      list.appendChild(li);
    });
    r.sections.forEach(function (s) {
      var row = page.querySelector('#sections li[data-section="' + s.name.replace(/[^a-z_]/g, "") + '"]');
      if (!row) return;
      var score = Math.max(0, Math.min(100, Number(s.score) || 0));
      row.querySelector(".fill").style.width = score + "%";
      row.querySelector(".value").textContent = String(score);
      row.hidden = false;
    });
    report.hidden = false;
    report.scrollIntoView({ block: "start" });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    errorEl.hidden = true;
    var file = fileEl.files && fileEl.files[0];
    if (!file) { showError(d.chooseFile); return; }
    if (file.size > maxBytes) { showError(d.errorTooLarge); return; }
    var body = new FormData();
    // the small fields first, so the server knows the language before the file arrives
    body.append("language", d.lang);
    body.append("target_role", document.getElementById("target_role").value);
    if (councilEl.value) body.append("local_authority", councilEl.value);
    body.append("file", file, file.name);

    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/cv/review?language=" + encodeURIComponent(d.lang));
    xhr.responseType = "json";
    button.disabled = true; button.textContent = d.uploading;
    progress.hidden = false; progress.value = 0;
    statusEl.textContent = d.uploading;
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var pct = Math.round((e.loaded / e.total) * 100);
      progress.value = pct;
      statusEl.textContent = d.uploading + " " + pct + "%";
    });
    xhr.upload.addEventListener("load", function () {
      progress.value = 100; statusEl.textContent = d.checking; button.textContent = d.checking;
    });
    xhr.addEventListener("load", function () {
      var data = xhr.response || {};
      done();
      if (xhr.status === 200) { render(data); return; }
      showError((data.error && data.error.message) || d.errorGeneric);
    });
    xhr.addEventListener("error", function () { done(); showError(d.errorGeneric); });
    xhr.send(body);
  });
})();
