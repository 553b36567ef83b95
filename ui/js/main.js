// Starts the UI: asks the Rust side what state the studio is in and shows the right screen.

import { studio } from "./tauri.js";
import { showWelcome } from "./views/welcome.js";
import { el, showError } from "./dom.js";

const view = document.getElementById("view");

async function start() {
  try {
    const status = await studio.appStatus();
    document.querySelector(".app").dataset.version = status.version;
    showWelcome(view, status);
  } catch (err) {
    view.replaceChildren(el("section", { className: "panel" }, [showError(err)]));
  } finally {
    document.getElementById("app").setAttribute("aria-busy", "false");
    document.body.dataset.ready = "true";
  }
}

start();
