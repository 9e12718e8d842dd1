// One submit, one record: a create form (one that carries a one-time token) disables its buttons once it is sent,
// so that a double click sends it once. The token makes a repeated post harmless anyway (cac/once.py).
(function () {
  "use strict";

  function isOnceForm(form) {
    return form instanceof HTMLFormElement && form.querySelector("input[name$='once_token']") !== null;
  }

  function isHtmxForm(form) {
    return form.matches("[hx-post], [data-hx-post]");
  }

  function setBusy(form, busy) {
    form.dataset.submitting = busy ? "1" : "";
    form.querySelectorAll("button[type='submit'], button:not([type]), input[type='submit']").forEach(function (button) {
      button.disabled = busy;
    });
  }

  document.addEventListener(
    "submit",
    function (event) {
      const form = event.target;
      if (!isOnceForm(form)) {
        return;
      }
      if (form.dataset.submitting === "1") {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      form.dataset.submitting = "1";
      // Disabled only after the browser or htmx has read the values, the pressed button's own included.
      window.setTimeout(function () {
        if (event.defaultPrevented && !isHtmxForm(form)) {
          form.dataset.submitting = "";  // another script stopped the submit: nothing was sent
          return;
        }
        setBusy(form, true);
      }, 0);
    },
    true
  );

  // An htmx form that stays on the page (its answer swapped elsewhere, or an error) can be sent again.
  document.addEventListener("htmx:afterRequest", function (event) {
    const form = event.target instanceof HTMLFormElement ? event.target : null;
    if (form && isOnceForm(form)) {
      setBusy(form, false);
    }
  });

  // Back to a page kept by the browser's cache: its forms are usable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting='1']").forEach(function (form) {
      setBusy(form, false);
    });
  });
})();
