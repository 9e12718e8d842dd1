// Small behaviours of the pages, wired by data attributes: the Content-Security-Policy allows no inline script or
// event handler, so every page's script lives in a static file like this one.
(function () {
  "use strict";

  // <select data-autosubmit>: choosing an option submits its form (the language switch, the worklist's agent).
  document.addEventListener("change", (event) => {
    const field = event.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.submit();
  });

  // <input type="checkbox" data-check-all=".selector">: ticks or unticks every box the selector matches.
  document.addEventListener("change", (event) => {
    const master = event.target.closest("[data-check-all]");
    if (!master) return;
    document.querySelectorAll(master.dataset.checkAll).forEach((box) => {
      box.checked = master.checked;
    });
  });

  // <form data-mute-unless="result=reached" data-mute-target="#call-script">: the call script only matters when the
  // customer was reached, so it is dimmed for the other results.
  const syncMuted = (form) => {
    const [name, value] = form.dataset.muteUnless.split("=");
    const target = document.querySelector(form.dataset.muteTarget);
    if (!target) return;
    const chosen = form.querySelector(`input[name="${name}"]:checked`);
    target.classList.toggle("is-muted", chosen !== null && chosen.value !== value);
  };
  document.addEventListener("change", (event) => {
    const form = event.target.closest("form[data-mute-unless]");
    if (form) syncMuted(form);
  });
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-mute-unless]").forEach(syncMuted);
  });
})();
