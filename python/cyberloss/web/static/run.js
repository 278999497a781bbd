// Progress of a background run: poll its status, reload the page when it has finished.
(function () {
  const box = document.getElementById("run");
  const id = box.dataset.job;
  const state = document.getElementById("run-state");
  const bar = document.getElementById("run-progress");
  const percent = document.getElementById("run-percent");
  const error = document.getElementById("run-error");
  const again = document.getElementById("again");
  const cancel = document.getElementById("cancel");
  let stopped = false;

  function finish(label, message) {
    stopped = true;
    state.textContent = label;
    cancel.hidden = true;
    again.href = window.location.href;
    again.hidden = false;
    if (message) { error.textContent = message; error.hidden = false; }
  }

  async function poll() {
    if (stopped) return;
    try {
      const response = await fetch("/api/runs/" + id, {cache: "no-store"});
      const s = await response.json();
      if (s.state === "done") { stopped = true; window.location.reload(); return; }
      if (s.state === "failed") { finish(box.dataset.failed, s.error); return; }
      if (s.state === "cancelled") { finish(box.dataset.cancelled, ""); return; }
      state.textContent = s.state === "queued" ? box.dataset.queued : box.dataset.running + (s.phase ? " (" + s.phase + ")" : "");
      bar.value = s.progress;
      percent.textContent = Math.round(100 * s.progress) + "%";
    } catch (e) { /* the server may be busy: try again */ }
    setTimeout(poll, 250);
  }

  cancel.addEventListener("click", async function () {
    cancel.disabled = true;
    await fetch("/api/runs/" + id + "/cancel", {method: "POST"});
    finish(box.dataset.cancelled, "");
  });
  poll();
})();
