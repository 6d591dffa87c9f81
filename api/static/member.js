// Member portal: the class-history chart (effort points per class, device time zone).
(function () {
  "use strict";
  function historyChart() {
    var el = document.getElementById("history-chart"), data = document.getElementById("history-data");
    if (!el || !data || !window.uPlot || el.childElementCount) return;
    var s = JSON.parse(data.textContent);
    var width = Math.max(260, el.clientWidth);
    new window.uPlot({
      width: width, height: 200,
      series: [
        { label: "class ended", value: "{WWW} {D} {MMM} {HH}:{mm}" },
        { label: "effort points", stroke: "#fbbf24", width: 3, points: { show: true, size: 8, fill: "#fbbf24" } },
      ],
      axes: [{ stroke: "#d1d5db", grid: { stroke: "#374151" }, ticks: { stroke: "#374151" } },
             { stroke: "#d1d5db", grid: { stroke: "#374151" }, ticks: { stroke: "#374151" }, label: "points" }],
      scales: { y: { range: function (u, lo, hi) { return [0, Math.max(10, Math.ceil(hi * 1.15))]; } } },
    }, [s.t, s.effort_points], el);
  }
  document.addEventListener("DOMContentLoaded", historyChart);
  document.addEventListener("htmx:afterSwap", historyChart);  // logging a set re-renders the portal
})();
