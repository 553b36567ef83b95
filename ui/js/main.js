// Starts the UI: asks the Rust side what state the studio is in and shows the right screen.

import { studio } from "./tauri.js";
import { showWelcome } from "./views/welcome.js";
import { showCreate } from "./views/create.js";
import { el, showError } from "./dom.js";

const view = document.getElementById("view");
const tabs = [...document.querySelectorAll(".tab")];

/** What the creator is writing; kept while they visit other screens. */
const compose = {
  provider: "minimax-global",
  model: "hailuo-2.3",
  prompt: "",
  firstFrame: null,
  duration: 6,
  resolution: "768P",
  promptOptimizer: true,
};

let status = null;

/** The screens reachable from the top bar. */
const screens = {
  create: () => showCreate(view, { compose, providersWithKeys: status.providersWithKeys }),
};

function go(name) {
  for (const tab of tabs) {
    if (tab.dataset.view === name) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  screens[name]();
  view.focus({ preventScroll: true });
}

async function start() {
  try {
    status = await studio.appStatus();
    document.getElementById("app").dataset.version = status.version;
    for (const tab of tabs) {
      tab.hidden = !(tab.dataset.view in screens);
      tab.addEventListener("click", () => go(tab.dataset.view));
    }
    const firstSaved = status.providersWithKeys[0];
    if (firstSaved) {
      compose.provider = firstSaved;
      go("create");
    } else {
      for (const tab of tabs) tab.hidden = true;
      showWelcome(view, status);
    }
  } catch (err) {
    view.replaceChildren(el("section", { className: "panel" }, [showError(err)]));
  } finally {
    document.getElementById("app").setAttribute("aria-busy", "false");
    document.body.dataset.ready = "true";
  }
}

start();
