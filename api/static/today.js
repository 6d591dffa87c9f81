// Start buttons (today's list and a class's board): they call the API's start route; on
// success go to the class's board (data-then="/trainer/classes/ID") or reload it
// (data-then="reload"); on failure say why next to the button.
(function () {
  "use strict";
  document.addEventListener("htmx:afterRequest", function (e) {
    var button = e.detail.elt;
    if (!button || !button.dataset || !button.dataset.then) return;
    var holder = button.closest("li, section");
    var note = holder ? holder.querySelector(".start-error") : null;
    if (e.detail.successful) {
      if (button.dataset.then === "reload") window.location.reload();
      else window.location.assign(button.dataset.then);
      return;
    }
    var why = "The class could not be started; try again in a moment.";
    try { why = JSON.parse(e.detail.xhr.responseText).detail || why; } catch (ignored) { /* not JSON */ }
    if (note) { note.textContent = why; note.hidden = false; }
  });
})();
