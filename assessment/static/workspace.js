// The workspace's small behaviours, in a file of their own (the Content-Security-Policy
// allows no inline script). Everything here is an extra: the pages work without it.
(function () {
  "use strict";

  // "Copy link" buttons: shown only when the browser can copy.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("data-copy"));
      var status = button.closest(".field").querySelector("[data-copy-status]");
      navigator.clipboard.writeText(input.value).then(function () {
        if (status) { status.textContent = button.getAttribute("data-copied"); }
      }, function () {
        input.select();
      });
    });
  });

  // Live response counts: ask the server again every few seconds.
  document.querySelectorAll("[data-live-counts]").forEach(function (box) {
    var url = box.getAttribute("data-live-counts");
    function refresh() {
      fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (counts) {
          if (!counts) { return; }
          box.querySelectorAll("[data-count]").forEach(function (cell) {
            var value = counts[cell.getAttribute("data-count")];
            var text = (value === null || value === undefined) ? "–" : String(value);
            if (cell.textContent !== text) { cell.textContent = text; }
          });
        })
        .catch(function () { /* offline for a moment: try again at the next tick */ });
    }
    window.setInterval(refresh, 5000);
  });
})();

// A report job's page: ask for its status every few seconds until it is done or failed.
(function () {
  "use strict";
  document.querySelectorAll("[data-report-job]").forEach(function (box) {
    var url = box.getAttribute("data-report-job");
    var message = box.querySelector("[data-job-message]");
    var file = box.querySelector("[data-job-file]");
    var waiting = box.querySelector("[data-job-waiting]");
    if (!file || !file.hidden) { return; }
    var timer = window.setInterval(function () {
      fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (job) {
          if (!job) { return; }
          if (job.ready) {
            window.clearInterval(timer);
            message.textContent = box.getAttribute("data-ready-text");
            file.hidden = false;
            if (waiting) { waiting.hidden = true; }
          } else if (job.status === "failed") {
            window.clearInterval(timer);
            message.textContent = job.error || box.getAttribute("data-failed-text");
            if (waiting) { waiting.hidden = true; }
          }
        })
        .catch(function () { /* try again at the next tick */ });
    }, 2000);
  });
})();

// An import's page while its file is checked or stored on the queue: show the rows
// checked and stored every few seconds, and load the page again when the phase ends.
(function () {
  "use strict";
  document.querySelectorAll("[data-import-job]").forEach(function (box) {
    var url = box.getAttribute("data-import-job");
    var phase = box.getAttribute("data-status");
    var timer = window.setInterval(function () {
      fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (job) {
          if (!job) { return; }
          if (job.status !== phase) {
            window.clearInterval(timer);
            window.location.reload();
            return;
          }
          box.querySelectorAll("[data-progress]").forEach(function (cell) {
            var value = job[cell.getAttribute("data-progress")];
            if (value !== null && value !== undefined) { cell.textContent = String(value); }
          });
        })
        .catch(function () { /* try again at the next tick */ });
    }, 2000);
  });
})();
