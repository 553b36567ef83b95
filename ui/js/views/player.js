// The in-app player: the video with play/pause, scrubbing, loop, mute and fullscreen, the
// prompt and settings beside it, and what the creator can do with the generation: remix it,
// chain a next clip from its last frame, show it in its folder, save a copy, delete it.

import { el, showError } from "../dom.js";
import { studio } from "../tauri.js";
import { formatMoney } from "../money.js";
import { canDelete, clock, madeAt, moneyWords, remixDetail, settingsLine } from "../library-filter.js";
import { drawStill } from "../still-frames.js";
import { splitDetails } from "../accounts.js";
import { detailsBox } from "./key-entry.js";

/** Seconds the arrow keys move the video. */
const STEP_SECONDS = 1;

/**
 * Opens the player over the current screen. `onDeleted(id)` runs after the generation went to
 * the trash (or was deleted for good); `onClosed()` when the player closes.
 */
export function openPlayer(item, { onDeleted = () => {}, onClosed = () => {} } = {}) {
  const generation = item.generation;
  const opener = document.activeElement;
  const status = el("div", { className: "player-status", role: "status", ariaLive: "polite", dataset: { testid: "player-status" } });

  const stage = el("div", { className: "player-stage" });
  const video = item.media.video
    ? el("video", { className: "player-video", src: item.media.video, poster: item.media.poster ?? undefined, preload: "auto", playsInline: true, dataset: { testid: "player-video" } })
    : null;
  const controls = video ? videoControls(video, stage) : null;
  if (video) {
    stage.append(video, controls.bar);
    video.addEventListener("click", () => controls.toggle());
  } else {
    stage.append(el("p", { className: "player-no-video", textContent: noVideoText(item) }));
  }

  let backdrop;
  const close = () => {
    if (!backdrop.isConnected) return;
    video?.pause();
    // Stop the download the element may still be doing.
    video?.removeAttribute("src");
    video?.load();
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    backdrop.remove();
    if (app) app.inert = false;
    document.removeEventListener("keydown", onKey, true);
    onClosed();
    if (opener?.isConnected) opener.focus({ preventScroll: true });
  };

  const closeButton = el("button", { type: "button", className: "player-close", textContent: "×", ariaLabel: "Close the player", dataset: { testid: "player-close" }, onclick: close });
  const actions = actionButtons(item, { video, status, close, onDeleted });

  const panel = el("aside", { className: "player-panel" }, [
    el("h2", { id: "player-title", className: "player-prompt", textContent: generation.request.prompt || "(no prompt: a first frame only)", dataset: { testid: "player-prompt" } }),
    el("dl", { className: "player-facts" }, facts(item).flatMap(([term, value]) => [el("dt", { textContent: term }), el("dd", { textContent: value })])),
    ...failure(generation),
    actions,
    status,
  ]);

  backdrop = el("div", { className: "player-backdrop", dataset: { testid: "player" }, onclick: (e) => e.target === backdrop && close() }, [
    el("div", { className: "player", role: "dialog", ariaModal: "true", ariaLabelledby: "player-title" }, [closeButton, stage, panel]),
  ]);
  document.body.append(backdrop);
  // A modal dialog: the screen behind it can be neither clicked nor reached with Tab.
  const app = document.getElementById("app");
  if (app) app.inert = true;

  function onKey(event) {
    if (!backdrop.isConnected) return;
    const typing = event.target.closest?.("input[type=search], input[type=text], textarea");
    if (event.key === "Tab") {
      trapTab(event, backdrop);
    } else if (event.key === "Escape" && !document.fullscreenElement) {
      event.preventDefault();
      close();
    } else if (controls && !typing) {
      controls.key(event);
    }
  }
  document.addEventListener("keydown", onKey, true);
  (video ? controls.playButton : closeButton).focus({ preventScroll: true });
  video?.play().catch(() => {
    // Autoplay may be refused; the play button is there.
  });
  return { close };
}

/** Keeps Tab and Shift+Tab inside `dialog`, wrapping from its last control to its first. */
function trapTab(event, dialog) {
  const focusable = [...dialog.querySelectorAll("button, input, select, textarea, a[href], [tabindex]:not([tabindex='-1']), video[controls]")].filter(
    (e) => !e.disabled && e.getClientRects().length > 0,
  );
  if (!focusable.length) return;
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  const inside = dialog.contains(document.activeElement);
  if (!inside || (event.shiftKey && document.activeElement === first)) {
    event.preventDefault();
    (event.shiftKey ? last : first).focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

/** The control bar under the video, and the keys that drive it. */
function videoControls(video, stage) {
  const playButton = el("button", { type: "button", className: "player-button", textContent: "Play", dataset: { testid: "player-play" } });
  const time = el("span", { className: "player-time", textContent: "0:00 / 0:00" });
  const scrub = el("input", { type: "range", className: "player-scrub", min: 0, max: 0, step: "any", value: 0, ariaLabel: "Position in the video", dataset: { testid: "player-scrub" } });
  const loop = toggleButton("Loop", "player-loop", (on) => (video.loop = on));
  const mute = toggleButton("Mute", "player-mute", (on) => (video.muted = on));
  const fullscreen = el("button", { type: "button", className: "player-button", textContent: "Fullscreen", dataset: { testid: "player-fullscreen" } });
  let scrubbing = false;

  const toggle = () => (video.paused || video.ended ? video.play().catch(() => {}) : video.pause());
  const showTime = () => {
    const duration = Number.isFinite(video.duration) ? video.duration : 0;
    scrub.max = String(duration);
    if (!scrubbing) scrub.value = String(video.currentTime);
    time.textContent = `${clock(video.currentTime)} / ${clock(duration)}`;
  };
  const showPlaying = () => {
    const playing = !video.paused && !video.ended;
    playButton.textContent = playing ? "Pause" : "Play";
    playButton.setAttribute("aria-label", playing ? "Pause" : "Play");
  };
  const toggleFullscreen = () => {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else stage.requestFullscreen?.().catch(() => {});
  };

  playButton.addEventListener("click", toggle);
  fullscreen.addEventListener("click", toggleFullscreen);
  scrub.addEventListener("input", () => {
    scrubbing = true;
    video.currentTime = Number(scrub.value);
    time.textContent = `${clock(Number(scrub.value))} / ${clock(video.duration)}`;
  });
  scrub.addEventListener("change", () => {
    scrubbing = false;
  });
  for (const event of ["timeupdate", "durationchange", "loadedmetadata", "seeked"]) video.addEventListener(event, showTime);
  for (const event of ["play", "pause", "ended"]) video.addEventListener(event, showPlaying);
  video.addEventListener("volumechange", () => mute.set(video.muted));
  document.addEventListener("fullscreenchange", () => {
    fullscreen.textContent = document.fullscreenElement ? "Exit fullscreen" : "Fullscreen";
  });

  function key(event) {
    const onButton = event.target.closest?.("button, input[type=range]");
    if (event.key === " " && !onButton) {
      event.preventDefault();
      toggle();
    } else if (event.key === "ArrowRight" && event.target !== scrub) {
      video.currentTime = Math.min(video.duration || 0, video.currentTime + STEP_SECONDS);
    } else if (event.key === "ArrowLeft" && event.target !== scrub) {
      video.currentTime = Math.max(0, video.currentTime - STEP_SECONDS);
    } else if (event.key === "m" || event.key === "M") {
      video.muted = !video.muted;
    } else if (event.key === "f" || event.key === "F") {
      toggleFullscreen();
    } else if (event.key === "l" || event.key === "L") {
      loop.set(!video.loop);
      video.loop = !video.loop;
    }
  }

  const bar = el("div", { className: "player-controls" }, [playButton, scrub, time, loop.button, mute.button, fullscreen]);
  return { bar, toggle, key, playButton };
}

/** A button that stays pressed or not, with aria-pressed saying which. */
function toggleButton(label, testid, onChange) {
  const button = el("button", { type: "button", className: "player-button", textContent: label, ariaPressed: "false", dataset: { testid } });
  const set = (on) => button.setAttribute("aria-pressed", on ? "true" : "false");
  button.addEventListener("click", () => {
    const on = button.getAttribute("aria-pressed") !== "true";
    set(on);
    onChange(on);
  });
  return { button, set };
}

function facts(item) {
  const generation = item.generation;
  const rows = [
    ["State", item.stateLabel],
    ["Settings", settingsLine(generation.request)],
    ["Made", madeAt(generation.createdAt)],
  ];
  const money = moneyWords(item);
  if (money.text) rows.push(["Cost", money.text]);
  // The quote is worth reading beside a real charge; beside "Not charged" it would read as paid.
  if (generation.estimatedCost && Number(generation.chargedCost?.money.amount) > 0) {
    rows.push(["Quoted", generation.estimatedCost.label || formatMoney(generation.estimatedCost.money)]);
  }
  const frame = generation.request.firstFrame;
  if (frame) rows.push(["First frame", frame.kind === "link" ? frame.url : "A picture, kept with the video"]);
  if (generation.request.promptOptimizer === false) rows.push(["Prompt optimizer", "Off"]);
  if (generation.video?.width) rows.push(["Size", `${generation.video.width}×${generation.video.height}`]);
  return rows;
}

function failure(generation) {
  const error = generation.error;
  if (!error) return [];
  // The sentence first; the service's own words and codes once, under a closed "Details".
  const { text } = splitDetails(error.message);
  const provider = [error.providerText && `“${error.providerText}”`, error.providerCode && `code ${error.providerCode}`, error.httpStatus && `HTTP ${error.httpStatus}`].filter(Boolean).join(", ");
  return [
    el("div", { className: "error-box player-failure", role: "note" }, [
      el("strong", { textContent: "Why it failed" }),
      el("p", { textContent: text }),
      detailsBox(provider ? `The service said: ${provider}` : null),
    ]),
  ];
}

function noVideoText(item) {
  const state = item.generation.state;
  if (state === "done") return "The video file is no longer in this generation's folder.";
  if (["failed", "cancelled", "unknown"].includes(state)) return "This generation has no video.";
  return "The video is still on its way. It appears here once it is saved to your library.";
}

function actionButtons(item, { video, status, close, onDeleted }) {
  const id = item.generation.id;
  const hasVideo = Boolean(item.media.video);
  const say = (text) => status.replaceChildren(el("p", { textContent: text }));
  const problem = (err) => status.replaceChildren(showError(err));
  const busy = async (button, work) => {
    button.disabled = true;
    status.replaceChildren();
    try {
      await work();
    } catch (err) {
      problem(err);
    } finally {
      button.disabled = false;
    }
  };

  const remix = button("Remix", "player-remix", "primary", () => {
    close();
    document.dispatchEvent(new CustomEvent("remix", { detail: remixDetail(item) }));
  });
  const lastFrame = button("Use last frame as next first frame", "player-last-frame", "", (b) =>
    busy(b, async () => {
      say("Taking the last frame…");
      video?.pause();
      const jpeg = await drawStill(item.media.video, "last-frame");
      const saved = await studio.saveLastFrame(id, jpeg);
      close();
      document.dispatchEvent(new CustomEvent("use-first-frame", { detail: { path: saved.path } }));
    }),
  );
  lastFrame.disabled = !hasVideo;
  const showInFolder = button("Show in folder", "player-show-in-folder", "", (b) => busy(b, () => studio.showGenerationInFolder(id)));
  const saveAs = button("Save as…", "player-save-as", "", (b) =>
    busy(b, async () => {
      const path = await studio.saveGenerationAs(id);
      if (path) say(`Saved a copy to ${path}`);
    }),
  );
  saveAs.disabled = !hasVideo;

  const confirm = el("div", { className: "player-confirm", hidden: true });
  const remove = button("Delete…", "player-delete", "", () => {
    confirm.hidden = false;
    askToTrash();
  });
  if (!canDelete(item)) {
    remove.disabled = true;
    remove.title = "A generation still being made cannot be deleted: the video you pay for may yet arrive.";
  }

  function askToTrash() {
    confirm.replaceChildren(
      el("p", { textContent: "Move this generation to the trash? Its video, record and pictures go together, and you can restore them from the trash." }),
      el("div", { className: "actions" }, [
        button("Keep it", "player-delete-cancel", "", () => (confirm.hidden = true)),
        button("Move to trash", "player-delete-confirm", "danger", (b) => removeWith(b, "trash")),
      ]),
    );
    confirm.querySelector("[data-testid=player-delete-cancel]").focus();
  }

  function askForGood(err) {
    confirm.replaceChildren(
      showError(err),
      el("p", { textContent: "Delete it permanently instead? This cannot be undone." }),
      el("div", { className: "actions" }, [
        button("Keep it", "player-delete-cancel", "", () => (confirm.hidden = true)),
        button("Delete permanently", "player-delete-permanently", "danger", (b) => removeWith(b, "permanently")),
      ]),
    );
  }

  async function removeWith(b, removal) {
    b.disabled = true;
    try {
      await studio.deleteGeneration(id, removal);
      close();
      onDeleted(id);
    } catch (err) {
      if (err.kind === "trash-unavailable" && removal === "trash") askForGood(err);
      else confirm.replaceChildren(showError(err));
    }
  }

  return el("div", { className: "player-actions" }, [remix, lastFrame, showInFolder, saveAs, remove, confirm]);
}

function button(label, testid, tone, onclick) {
  const b = el("button", { type: "button", className: `button${tone ? ` ${tone}` : ""}`, textContent: label, dataset: { testid } });
  b.addEventListener("click", () => onclick(b));
  return b;
}
