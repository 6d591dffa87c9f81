// Trainer tablet: class clock, tile filter/sort, screen wake lock, summary chart.
(function () {
  "use strict";
  function two(n) { return String(Math.floor(n)).padStart(2, "0"); }
  function tickClock() {
    var el = document.getElementById("class-clock");
    if (!el) return;
    var start = parseFloat(el.dataset.startedAt), end = parseFloat(el.dataset.endedAt);
    if (!start) return;  // the server's text ("not started") stands
    var s = Math.max(0, (end || Date.now() / 1000) - start);
    el.textContent = (s >= 3600 ? Math.floor(s / 3600) + ":" : "") + two((s % 3600) / 60) + ":" + two(s % 60);
  }
  // The box's camera status is kept for a few of its reports: past that, say it is old.
  function boxStale() {
    var el = document.getElementById("box-status");
    if (!el || !el.dataset.at) return;
    var old = Date.now() / 1000 - parseFloat(el.dataset.at) > parseFloat(el.dataset.keepS);
    el.classList.toggle("stale", old);
    var note = el.querySelector(".box-stale");
    if (note) note.hidden = !old;
  }
  // A filter that matches nobody says so (with a way back) instead of leaving a blank area.
  function filterEmpty() {
    var tiles = document.getElementById("tiles"), note = document.getElementById("filter-empty");
    if (!tiles || !note) return;
    var all = tiles.querySelectorAll(".tile"), shown = 0;
    all.forEach(function (t) { if (t.offsetParent !== null) shown += 1; });
    note.hidden = !(all.length && !shown && tiles.dataset.filter !== "all");
  }
  function choose(b) {
    var tiles = document.getElementById("tiles");
    var key = b.dataset.filter !== undefined ? "filter" : "sort";
    tiles.dataset[key] = b.dataset[key];
    document.querySelectorAll(".tile-controls button[data-" + key + "]").forEach(function (o) {
      o.setAttribute("aria-pressed", String(o.dataset[key] === b.dataset[key]));
    });
    filterEmpty();
  }
  function controls() {
    document.querySelectorAll(".tile-controls button, #filter-empty button").forEach(function (b) {
      b.addEventListener("click", function () { choose(b); });
    });
  }
  var lock = null;
  function keepAwake() {  // needs a secure context (HTTPS or localhost)
    if (!("wakeLock" in navigator) || document.visibilityState !== "visible") return;
    navigator.wakeLock.request("screen").then(function (l) { lock = l; }).catch(function () {});
  }
  function chart() {  // {x: minutes, y: % of max heart rate, label} from the page
    var el = document.getElementById("class-chart"), data = document.getElementById("chart-data");
    if (!el || !data || !window.uPlot) return;
    var s = JSON.parse(data.textContent);
    if (!s || !s.x || !s.x.length) return;
    new window.uPlot({
      width: Math.max(300, el.clientWidth), height: 280,
      scales: { x: { time: false } },
      series: [{ label: "minute" }, { label: s.label, stroke: "#fbbf24", width: 3 }],
      axes: [{ stroke: "#d1d5db", label: "minutes into the class" }, { stroke: "#d1d5db", label: "% of max heart rate" }],
    }, [s.x, s.y], el);
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (document.getElementById("tiles")) { controls(); keepAwake(); setInterval(function () { tickClock(); boxStale(); }, 1000); tickClock(); }
    chart();
  });
  // a status fragment swapped in over the stream carries the server's clock text; keep it
  // ticking from there without waiting for the next interval
  document.addEventListener("htmx:oobAfterSwap", function () { tickClock(); filterEmpty(); boxStale(); });
  document.addEventListener("visibilitychange", function () { if (!lock || lock.released) keepAwake(); });
})();
