// Trainer tablet: class clock, tile filter/sort, screen wake lock, summary chart.
(function () {
  "use strict";
  function two(n) { return String(Math.floor(n)).padStart(2, "0"); }
  function tickClock() {
    var el = document.getElementById("class-clock");
    if (!el) return;
    var start = parseFloat(el.dataset.startedAt), end = parseFloat(el.dataset.endedAt);
    if (!start) { el.textContent = "--:--"; return; }
    var s = Math.max(0, (end || Date.now() / 1000) - start);
    el.textContent = (s >= 3600 ? Math.floor(s / 3600) + ":" : "") + two((s % 3600) / 60) + ":" + two(s % 60);
  }
  function controls() {
    var tiles = document.getElementById("tiles");
    document.querySelectorAll(".tile-controls button").forEach(function (b) {
      b.addEventListener("click", function () {
        var key = b.dataset.filter !== undefined ? "filter" : "sort";
        tiles.dataset[key] = b.dataset[key];
        document.querySelectorAll(".tile-controls button[data-" + key + "]").forEach(function (o) {
          o.setAttribute("aria-pressed", String(o === b));
        });
      });
    });
  }
  var lock = null;
  function keepAwake() {  // needs a secure context (HTTPS or localhost)
    if (!("wakeLock" in navigator) || document.visibilityState !== "visible") return;
    navigator.wakeLock.request("screen").then(function (l) { lock = l; }).catch(function () {});
  }
  function chart() {
    var el = document.getElementById("class-chart"), data = document.getElementById("chart-data");
    if (!el || !data || !window.uPlot) return;
    var s = JSON.parse(data.textContent);
    var x = s.t_s.map(function (t) { return t / 60; });
    var y = s.avg_pct_hr_max.map(function (v) { return Math.round(v * 1000) / 10; });
    new window.uPlot({
      width: Math.max(300, el.clientWidth), height: 280,
      scales: { x: { time: false } },
      series: [{ label: "minute" }, { label: "class avg %HRmax", stroke: "#f59e0b", width: 3 }],
      axes: [{ stroke: "#d1d5db", label: "minutes" }, { stroke: "#d1d5db", label: "%HRmax" }],
    }, [x, y], el);
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (document.getElementById("tiles")) { controls(); keepAwake(); setInterval(tickClock, 1000); tickClock(); }
    chart();
  });
  document.addEventListener("visibilitychange", function () { if (!lock || lock.released) keepAwake(); });
})();
