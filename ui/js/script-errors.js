// Catches script errors no screen handled: the creator gets one calm notice, and the end-to-end
// suite a count in document.body.dataset.scriptErrors (its screen check fails when it is not 0).

import { el } from "./dom.js";

let count = 0;

function describe(reason) {
  if (reason instanceof Error) return `${reason.name}: ${reason.message}`;
  if (reason && typeof reason === "object" && "message" in reason) return String(reason.message);
  return String(reason);
}

function record(description) {
  count += 1;
  document.body.dataset.scriptErrors = String(count);
  document.body.dataset.lastScriptError = description.slice(0, 500);
  console.error("Hailuo Studio script error:", description);
  showNotice();
}

function showNotice() {
  const notices = document.getElementById("notices");
  // One notice says enough, however many errors follow.
  if (!notices || notices.querySelector("[data-notice='script-error']")) return;
  const notice = el("div", { className: "notice", dataset: { notice: "script-error" } }, [
    el("strong", { textContent: "Something on this screen went wrong" }),
    el("p", {
      textContent:
        "Your saved videos and keys are not affected. If a button stops answering, close Hailuo Studio and open it again.",
    }),
  ]);
  notice.append(el("button", { type: "button", className: "button", textContent: "Dismiss", onclick: () => notice.remove() }));
  notices.append(notice);
}

document.body.dataset.scriptErrors = "0";
window.addEventListener("error", (event) =>
  record(`${describe(event.error ?? event.message)} (${event.filename || "?"}:${event.lineno || 0})`),
);
window.addEventListener("unhandledrejection", (event) => record(`Unhandled rejection: ${describe(event.reason)}`));
