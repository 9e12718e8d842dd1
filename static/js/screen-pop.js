// The screen pop: <div id="screen-pop" data-stream="/calls/ringing/"> listens to the Server-Sent Events of the
// calls ringing for the agent and shows each as a banner with the caller and one link to the 360 or the new-caller
// form. The stream ends after a while and EventSource reconnects by itself (the server sets the retry).
(function () {
  "use strict";

  const box = document.getElementById("screen-pop");
  if (!box || !box.dataset.stream || !window.EventSource) return;
  const dismissed = new Set();

  const banner = (call) => {
    const item = document.createElement("div");
    item.className = "alert alert-warning d-flex flex-wrap align-items-center gap-3 mb-2 screen-pop-call";
    item.setAttribute("role", "alert");
    item.dataset.callId = call.id;
    const who = document.createElement("div");
    who.className = "me-auto";
    const title = document.createElement("strong");
    title.textContent = `${call.title} · ${call.state}`;
    const phone = document.createElement("span");
    phone.className = "mono ms-2 screen-pop-phone";
    phone.textContent = call.phone;
    const name = document.createElement("div");
    name.className = "fs-5 screen-pop-customer";
    name.textContent = call.customer;
    const details = document.createElement("div");
    details.className = "small text-muted";
    details.textContent = call.details.join(" · ");
    who.append(title, phone, name, details);
    const open = document.createElement("a");
    open.className = "btn btn-primary screen-pop-open";
    open.href = call.url;
    open.textContent = call.action;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("aria-label", box.dataset.closeLabel || "Close");
    close.addEventListener("click", () => {
      dismissed.add(`${call.id}:${call.state}`);
      item.remove();
    });
    item.append(who, open, close);
    return item;
  };

  const source = new EventSource(box.dataset.stream);
  source.addEventListener("calls", (event) => {
    const calls = JSON.parse(event.data).filter((call) => !dismissed.has(`${call.id}:${call.state}`));
    box.replaceChildren(...calls.map(banner));
    box.hidden = calls.length === 0;
    box.dataset.listening = "1"; // the stream has answered once: a call ringing from now on pops
  });
})();
