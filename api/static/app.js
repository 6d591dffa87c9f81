// Every page: times in the device's own time zone, and Escape closes the notifications.
(function () {
  "use strict";
  var FORMAT = { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
  function localTimes(root) {
    (root || document).querySelectorAll("time[data-local][datetime]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when)) return;
      el.textContent = when.toLocaleString(undefined, FORMAT);
      el.title = when.toString();
    });
  }
  document.addEventListener("DOMContentLoaded", function () { localTimes(document); });
  document.addEventListener("htmx:afterSwap", function (e) { localTimes(e.target); });
  document.addEventListener("keydown", function (e) {
    var panel = document.getElementById("notifications-panel");
    if (e.key === "Escape" && panel && panel.innerHTML) panel.innerHTML = "";
  });
})();
