/* Programme analytics: draws the charts from the summary embedded in the page.
   The tables under each chart are server-rendered and hold the same (suppressed) figures.
   A suppressed cell ("<5") is drawn as a gap, never as a number. */
(function () {
  "use strict";
  var el = document.getElementById("analytics-data");
  if (!el || typeof Chart === "undefined") return;
  var data = JSON.parse(el.textContent);
  var SUPPRESSED = data.suppression.marker;
  var PALETTE = ["#005ea5", "#00703c", "#b58840", "#912b88", "#d4351c", "#28a197",
    "#f47738", "#4c2c92", "#85994b", "#5694ca", "#6f777b", "#f499be"];

  function value(v) { return v === SUPPRESSED ? null : v; }
  function values(list) { return list.map(value); }
  function tooltipLabel(raw) {
    return function (ctx) {
      var v = raw[ctx.datasetIndex][ctx.dataIndex];
      return (ctx.dataset.label ? ctx.dataset.label + ": " : "") + (v === SUPPRESSED ? "fewer than 5" : v);
    };
  }
  var base = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
    scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
  };
  function options(extra, raw) {
    var o = JSON.parse(JSON.stringify(base));
    Object.keys(extra || {}).forEach(function (k) { o[k] = extra[k]; });
    o.plugins.tooltip = { callbacks: { label: tooltipLabel(raw) } };
    return o;
  }
  function draw(id, type, labels, series, extra) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    var raw = series.map(function (s) { return s.data; });
    new Chart(canvas, {
      type: type,
      data: {
        labels: labels,
        datasets: series.map(function (s, i) {
          var colour = s.colour || PALETTE[i % PALETTE.length];
          return { label: s.label, data: values(s.data), backgroundColor: colour,
                   borderColor: colour, spanGaps: false, tension: 0.2 };
        })
      },
      options: options(extra, raw)
    });
  }
  function horizontal(stacked) {
    return {
      indexAxis: "y",
      scales: { x: { beginAtZero: true, stacked: !!stacked, ticks: { precision: 0 } },
                y: { stacked: !!stacked } }
    };
  }
  function pluck(rows, key) { return rows.map(function (r) { return r[key]; }); }

  draw("chart-activity", "line", data.weeks, [
    { label: "Conversations", data: data.activity.conversations },
    { label: "Messages", data: data.activity.messages },
    { label: "CVs reviewed", data: data.activity.cvs }
  ]);
  draw("chart-topics", "bar", data.weeks, data.topics.map(function (t) {
    return { label: t.name, data: t.weekly };
  }), { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } });
  draw("chart-councils", "bar", pluck(data.by_council, "name"), [
    { label: "Messages", data: pluck(data.by_council, "messages") },
    { label: "No good-enough answer", data: pluck(data.by_council, "unanswered"), colour: "#d4351c" }
  ], horizontal());
  draw("chart-languages", "bar", pluck(data.by_language, "name"), [
    { label: "Messages", data: pluck(data.by_language, "messages") },
    { label: "No good-enough answer", data: pluck(data.by_language, "unanswered"), colour: "#d4351c" }
  ], horizontal());
  draw("chart-gaps-topic", "bar", pluck(data.gaps.by_category, "name"), [
    { label: "No good-enough answer", data: pluck(data.gaps.by_category, "unanswered"), colour: "#d4351c" }
  ], horizontal());
  draw("chart-gaps-language", "bar", pluck(data.gaps.by_language, "name"), [
    { label: "No good-enough answer", data: pluck(data.gaps.by_language, "unanswered"), colour: "#d4351c" }
  ], horizontal());
  draw("chart-escalations", "bar", Object.keys(data.escalations).map(function (s) {
    return s.charAt(0).toUpperCase() + s.slice(1);
  }), [{ label: "Escalations", data: Object.values(data.escalations), colour: "#912b88" }]);

  // Choosing from a list applies at once; dates (typed) and no-JS use the Apply button.
  var form = document.getElementById("filters");
  if (form) {
    form.querySelectorAll("select").forEach(function (input) {
      input.addEventListener("change", function () {
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      });
    });
  }
  document.body.setAttribute("data-charts", "ready");
})();
