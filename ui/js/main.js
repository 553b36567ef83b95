// Starts the UI: asks the Rust side what state the studio is in and shows the right screen.

import { studio } from "./tauri.js";
import { showWelcome } from "./views/welcome.js";
import { showCreate } from "./views/create.js";
import { showSettings } from "./views/settings.js";
import { showSpending } from "./views/spending.js";
import { showLibrary } from "./views/library.js";
import { startQueue } from "./views/queue.js";
import { keptFirstFrame } from "./first-frame.js";
import { remixSettings } from "./queue-words.js";
import { composeFromRemix } from "./library-filter.js";
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
/** The Create screen's handle while it is the one shown. */
let createScreen = null;

/** The screens reachable from the top bar. */
const screens = {
  create: () => {
    createScreen = showCreate(view, { compose, providersWithKeys: status.providersWithKeys });
  },
  library: () => showLibrary(view),
  spending: () => showSpending(view),
  settings: () => showSettings(view, status, { onChange: settingsChanged, onKeysChanged: keysChanged }),
};

// The Library hands a generation (remix) or a picture (use-first-frame) over to Create.
document.addEventListener("remix", (event) => {
  const { settings, firstFrame } = composeFromRemix(event.detail);
  Object.assign(compose, settings);
  compose.firstFrame = firstFrame?.kind === "link" ? firstFrame : null;
  go("create");
  if (firstFrame?.kind === "path") createScreen.takeFirstFramePath(firstFrame.path);
});
document.addEventListener("use-first-frame", (event) => {
  go("create");
  createScreen.takeFirstFramePath(event.detail.path);
});

/** Follows saved settings that change the whole window at once. */
async function settingsChanged(settings) {
  applyTheme(settings.theme);
  // Keys may have been added or removed: the Create screen offers only services with one.
  status = { ...status, ...(await studio.appStatus()) };
}

/**
 * A key was saved or removed in Settings: Create offers that service from now on (or no longer),
 * without a restart. Known at once from the change itself, then confirmed by the app.
 */
async function keysChanged(provider, present) {
  const others = status.providersWithKeys.filter((p) => p !== provider);
  status = { ...status, providersWithKeys: present ? [...others, provider] : others };
  if (present && !others.includes(compose.provider)) compose.provider = provider;
  try {
    status = { ...status, ...(await studio.appStatus()) };
  } catch {
    // The change itself is known: the next start reads the rest again.
  }
}

function applyTheme(theme) {
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}

function notify(message) {
  document.getElementById("notices").append(
    el("div", { className: "notice", role: "status" }, [
      el("p", { textContent: message }),
      el("button", { type: "button", className: "button small", textContent: "OK", onclick: (e) => e.target.closest(".notice").remove() }),
    ]),
  );
}

/** How many generations are in progress, on the Create tab, seen from every screen. */
function showMaking(count) {
  const tab = tabs.find((t) => t.dataset.view === "create");
  let badge = tab.querySelector(".tab-count");
  if (!badge) {
    badge = el("span", { className: "tab-count", dataset: { testid: "making-count" } });
    tab.append(badge);
  }
  badge.textContent = count ? String(count) : "";
  badge.title = count ? `${count} in progress` : "";
}

/** A generation's prompt, settings and first frame back into Compose, to vary it. */
function remix(card) {
  Object.assign(compose, remixSettings(card));
  const kept = keptFirstFrame(card);
  compose.firstFrame = kept?.kind === "link" ? { kind: "link", url: kept.url } : null;
  go("create");
  if (kept?.kind === "path") createScreen.takeFirstFramePath(kept.path);
}

function go(name) {
  for (const tab of tabs) {
    if (tab.dataset.view === name) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  screens[name]();
  // A screen opens at its top, not at the last one's scroll position.
  view.scrollTop = 0;
  document.scrollingElement?.scrollTo(0, 0);
  view.focus({ preventScroll: true });
}

async function start() {
  try {
    // Both asked at once: the window is usable sooner. Settings only decorate the start; a
    // problem with them must not keep the studio closed.
    const [appStatus, settings] = await Promise.all([studio.appStatus(), studio.getSettings().catch(() => null)]);
    status = appStatus;
    document.getElementById("app").dataset.version = status.version;
    for (const notice of status.notices ?? []) notify(notice);
    // From the start, so generations left running last time are followed (and downloaded) at once.
    startQueue({ onRemix: remix, onCount: showMaking });
    applyTheme(settings?.theme);
    for (const tab of tabs) {
      tab.hidden = !(tab.dataset.view in screens);
      tab.addEventListener("click", () => go(tab.dataset.view));
    }
    const firstSaved = status.providersWithKeys[0];
    if (firstSaved) {
      const preferred = settings?.defaultProvider;
      compose.provider = status.providersWithKeys.includes(preferred) ? preferred : firstSaved;
      go("create");
    } else {
      // First run: only the onboarding path, until a key works.
      for (const tab of tabs) tab.hidden = true;
      showWelcome(view, status, {
        onDone: async (provider) => {
          status = await studio.appStatus();
          compose.provider = provider;
          for (const tab of tabs) tab.hidden = !(tab.dataset.view in screens);
          go("create");
          // "Start creating": the creator's next move is to write.
          document.querySelector("[data-testid=prompt]")?.focus();
        },
      });
    }
  } catch (err) {
    view.replaceChildren(el("section", { className: "panel" }, [showError(err)]));
  } finally {
    document.getElementById("app").setAttribute("aria-busy", "false");
    document.body.dataset.ready = "true";
    // The moment the window became usable, for scripts/benchmark.sh to read after the fact.
    performance.mark("studio-ready");
  }
}

start();
