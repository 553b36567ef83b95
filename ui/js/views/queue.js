// The queue: one card per generation being made (and those finished since the app opened), fed by
// the app from start-up, with what the creator can do with each.

import { el } from "../dom.js";
import { studio } from "../tauri.js";
import { formatMoney } from "../money.js";
import { detailsBox, servicePageButton } from "./key-entry.js";
import { splitDetails } from "../accounts.js";
import { openPlayer } from "./player.js";
import { MODEL_NAMES, PROVIDER_NAMES } from "../names.js";
import {
  cardActions,
  costWords,
  downloadPercent,
  downloadWords,
  elapsedWords,
  flagWords,
  isOvertaken,
  isInProgress,
  isTracked,
  liveElapsed,
  settingsLine,
  sortCards,
  stopWarning,
  timeLeftWords,
  untilNextBeat,
} from "../queue-words.js";

/** id → `{card, receivedAt}`: the latest card of each generation and when it arrived. */
const known = new Map();
/** id → the inline question or problem open on a card, kept across updates of that card. */
const open = new Map();
/** id → the card's element, so an update replaces only its own card. */
const shown = new Map();

const list = el("div", { className: "queue-list", dataset: { testid: "queue-list" } });
const empty = el("p", {
  className: "queue-empty muted",
  textContent: "Videos you generate appear here while they are made, and go to your library when they are ready.",
});
const trouble = el("p", { className: "queue-trouble", role: "status" });
const count = el("span", { className: "queue-count muted", ariaLive: "polite" });
const panel = el("section", { className: "queue panel", ariaLabel: "Your generations", dataset: { testid: "queue" } }, [
  el("div", { className: "queue-head" }, [el("h2", { textContent: "Your generations" }), count]),
  trouble,
  empty,
  list,
]);

let remix = () => {};
let counted = () => {};

/** The queue's panel; the same element every time, so it keeps its cards across screens. */
export function queuePanel() {
  return panel;
}

/**
 * Starts following generations for the whole run. `onRemix(card)` puts a card's prompt, settings
 * and first frame back into Compose; `onCount(n)` hears how many are in progress.
 */
export async function startQueue({ onRemix, onCount = () => {} }) {
  remix = onRemix;
  counted = onCount;
  setTimeout(beat, untilNextBeat(Date.now()));
  try {
    await studio.watchGenerations(showCard);
    trouble.textContent = "";
  } catch (err) {
    // The creator cannot act on the wiring's details: those go to the tooltip.
    trouble.textContent = "The list of generations in progress cannot be shown right now.";
    trouble.title = err.message;
  }
}

/**
 * Shows a card, new or updated (from the watch, Generate, or a card's own action). Generate's
 * answer can arrive after the watch already told how that generation went on: an older card
 * never replaces a newer one.
 */
export function showCard(card) {
  const current = known.get(card.id)?.card;
  if (current && isOvertaken(card, current)) return;
  known.set(card.id, { card, receivedAt: Date.now() });
  draw(card);
  document.dispatchEvent(new CustomEvent("generation-changed", { detail: card }));
  // A new generation or a changed state changes what the Library lists (an open Library
  // follows this event); download progress alone does not.
  if (current?.state !== card.state) {
    document.dispatchEvent(new CustomEvent("library-changed"));
    // Said aloud once per change of state (not per download step).
    const announce = document.getElementById("announce");
    if (announce && current) announce.textContent = `${card.stateWords}: ${card.prompt.slice(0, 60) || "a video from a first frame"}`;
  }
}

/** Draws a known card again (a question opened or closed) without resetting its clock. */
function draw(card) {
  const fresh = cardElement(card);
  const old = shown.get(card.id);
  shown.set(card.id, fresh);
  // Focus inside the card (an action, a question's button) stays in it when it is drawn again:
  // on the same control, or, when that one is gone (a question closed), on the card's first one.
  const hadFocus = old?.contains(document.activeElement) ? document.activeElement.dataset.testid ?? "" : null;
  // In the list, not "connected": while another screen is shown the panel is out of the page,
  // and a card updated then must still replace its old element, not be added beside it.
  if (old?.parentNode === list) old.replaceWith(fresh);
  else placeInOrder(card, fresh);
  if (hadFocus !== null) {
    const again = (hadFocus && fresh.querySelector(`[data-testid="${CSS.escape(hadFocus)}"]`)) || fresh.querySelector(".gen-actions button");
    again?.focus({ preventScroll: true });
  }
  summarise();
}

function placeInOrder(card, element) {
  const order = sortCards([...known.values()].map((k) => k.card));
  const next = order[order.findIndex((c) => c.id === card.id) + 1];
  const before = next && shown.get(next.id);
  if (before?.parentNode === list) list.insertBefore(element, before);
  else list.append(element);
}

function summarise() {
  const cards = [...known.values()].map((k) => k.card);
  const making = cards.filter(isInProgress).length;
  count.textContent = making ? `${making} in progress` : "";
  empty.hidden = cards.length > 0;
  counted(making);
}

function beat() {
  moveClocks(Date.now());
  // Timers drift: the next beat is found from the wall clock again each time.
  setTimeout(beat, untilNextBeat(Date.now()));
}

/** Sets every running clock to the time at `now`, without redrawing the cards. */
export function moveClocks(now) {
  for (const { card, receivedAt } of known.values()) {
    if (!isTracked(card)) continue;
    const time = shown.get(card.id)?.querySelector(".gen-time");
    const words = timeWords(card, liveElapsed(card, receivedAt, now));
    // Only a change is written: writing the same words still repaints.
    if (time && time.textContent !== words) time.textContent = words;
  }
}

function timeWords(card, elapsed) {
  return [elapsedWords(elapsed), timeLeftWords(card, elapsed)].filter(Boolean).join(" · ");
}

function cardElement(card) {
  const { receivedAt } = known.get(card.id);
  const actions = cardActions(card);
  const cost = costWords(card);
  const percent = downloadPercent(card.download);
  const error = card.error && !card.stateWords.includes(card.error.message) ? card.error.message : null;
  // The state line says what happened; the service's own words and codes go under "Details".
  const state = splitDetails(card.stateWords);
  return el("article", { className: `gen-card state-${card.state}${card.stopped ? " stopped" : ""}`, dataset: { testid: "job", id: card.id, state: card.state, status: card.state } }, [
    thumbnail(card),
    el("div", { className: "gen-main" }, [
      el("p", { className: "gen-prompt", title: card.prompt, textContent: card.prompt || "No prompt: the video follows the first frame." }),
      el("p", { className: "gen-settings muted", textContent: settingsLine(card, PROVIDER_NAMES, MODEL_NAMES) }),
      el("p", { className: "gen-state" }, [
        el("strong", { dataset: { testid: "card-state" }, textContent: state.text }),
        el("span", { className: "gen-time muted", textContent: timeWords(card, liveElapsed(card, receivedAt, Date.now())) }),
      ]),
      card.state === "downloading" && card.download
        ? el("div", { className: "gen-download" }, [
            el("progress", { max: 100, value: percent ?? undefined, ariaLabel: "Download" }),
            el("span", { className: "muted", textContent: downloadWords(card.download) }),
          ])
        : null,
      error ? errorLines(error, card.error.raw) : detailsBox(state.details),
      // An empty account is fixed on the service's website: the way there, on the card.
      card.error?.kind === "no-credit" ? servicePageButton(card.provider, "billing") : null,
      el("p", { className: `gen-cost${cost.known ? " known" : ""}`, title: cost.detail, dataset: { testid: "card-cost" } }, [
        el("span", { textContent: cost.text }),
        cost.known ? null : el("span", { className: "muted", textContent: " (estimate)" }),
      ]),
      ...flagWords(card).map((flag) => el("p", { className: `gen-flag flag-${flag.kind}`, textContent: flag.text })),
      actionRow(card, actions),
      openQuestion(card),
    ]),
  ]);
}

/**
 * A card's error: the sentence, with the service's codes under a closed "Details". An answer the
 * app could not read comes with it (`raw`, redacted), to copy into a bug report.
 */
function errorLines(message, raw) {
  const { text, details } = splitDetails(message);
  const copy = raw
    ? el("button", {
        type: "button",
        className: "button small",
        textContent: "Copy the answer",
        title: "Copies what the service answered (without your key) for a bug report",
        dataset: { testid: "card-copy-answer" },
        onclick: (event) => copyText(raw, event.currentTarget, "Copy the answer"),
      })
    : null;
  // An answer the app could not read is no failure: it keeps checking, so it reads calmly.
  return el("div", { className: raw ? "gen-error gen-calm" : "gen-error" }, [el("p", { textContent: text }), copy, detailsBox(details)]);
}

function thumbnail(card) {
  // The first frame when there is one; else the finished video's own opening frame.
  let picture;
  if (card.firstFrameUrl) picture = el("img", { src: card.firstFrameUrl, alt: "First frame", loading: "lazy" });
  else if (card.videoUrl) picture = el("video", { src: `${card.videoUrl}#t=0.1`, muted: true, preload: "metadata", ariaHidden: "true", tabIndex: -1 });
  else picture = el("span", { className: "gen-thumb-text", ariaHidden: "true", textContent: "Aa" });
  if (!card.videoUrl) return el("div", { className: "gen-thumb" }, [picture]);
  return el("button", { type: "button", className: "gen-thumb playable", title: "Play", ariaLabel: "Play the video", onclick: () => play(card) }, [
    picture,
    el("span", { className: "play-mark", ariaHidden: "true", textContent: "▶" }),
  ]);
}

function actionRow(card, actions) {
  const button = (label, testid, onclick, primary = false) =>
    el("button", { type: "button", className: `button small${primary ? " primary" : ""}`, textContent: label, dataset: { testid }, onclick });
  return el("div", { className: "gen-actions" }, [
    actions.open ? button("Play", "card-open", () => play(card), true) : null,
    actions.remix ? button("Remix", "card-remix", () => remix(card)) : null,
    actions.copyPrompt ? button("Copy prompt", "card-copy", (event) => copyPrompt(card, event.currentTarget)) : null,
    actions.checkNow ? button("Check now", "card-check", (event) => checkNow(card, event.currentTarget)) : null,
    // A video made but not saved: fetch it again (nothing is paid again).
    card.canDownloadAgain ? button("Try again", "card-download-again", () => act(card, () => studio.downloadGenerationAgain(card.id)), true) : null,
    actions.retry ? button("Make again…", "card-retry", () => askRetry(card)) : null,
    actions.stopTracking || card.canDownloadAgain ? button("Stop following…", "card-stop", () => ask(card, { kind: "stop" })) : null,
  ]);
}

function ask(card, question) {
  open.set(card.id, question);
  draw(known.get(card.id).card);
  // The question may open below the panel's fold: bring it into view.
  shown.get(card.id)?.querySelector(".confirm")?.scrollIntoView({ block: "nearest" });
}

/** Closes the card's question; `updated` is the card an action answered, if any. */
function settle(card, updated = null) {
  open.delete(card.id);
  if (updated) showCard(updated);
  else draw(known.get(card.id).card);
}

/** The question or problem open on a card: confirm stop, confirm a paid retry, or a failed action. */
function openQuestion(card) {
  const question = open.get(card.id);
  if (!question) return null;
  const cancel = el("button", { type: "button", className: "button small", textContent: "Cancel", onclick: () => settle(card) });
  if (question.kind === "problem") {
    return el("div", { className: "confirm", role: "alert" }, [
      el("p", { textContent: question.message }),
      el("div", { className: "actions" }, [el("button", { type: "button", className: "button small", textContent: "OK", onclick: () => settle(card) })]),
    ]);
  }
  if (question.kind === "stop") {
    return el("div", { className: "confirm", dataset: { testid: "confirm-stop" } }, [
      el("p", { textContent: `Stop following this generation? ${card.canDownloadAgain ? "It was made and charged, but the app will no longer try to save it; it may stay at the service for a while." : stopWarning(card)}` }),
      el("div", { className: "actions" }, [
        cancel,
        el("button", {
          type: "button",
          className: "button small danger",
          textContent: "Stop following",
          dataset: { testid: "confirm-stop-yes" },
          onclick: () => act(card, () => studio.stopTrackingGeneration(card.id)),
        }),
      ]),
    ]);
  }
  // A retry: a new paid generation, so its price comes first.
  if (!question.quote) return el("div", { className: "confirm" }, [el("p", { className: "muted", textContent: question.failure ?? "Working out the price…" }), el("div", { className: "actions" }, [cancel])]);
  const { quote, overBudget } = question.quote;
  const price = `${quote.basis.kind === "estimate" ? "about " : ""}${formatMoney(quote.price)}`;
  return el("div", { className: "confirm", dataset: { testid: "confirm-retry" } }, [
    el("p", { textContent: `Make this video again? It is a new generation at ${PROVIDER_NAMES[quote.provider]} and costs ${price}.` }),
    overBudget ? el("p", { className: "checkout-warning", textContent: overBudget }) : null,
    el("div", { className: "actions" }, [
      cancel,
      el("button", {
        type: "button",
        className: "button small primary",
        textContent: `Make it again · ${price}`,
        disabled: Boolean(overBudget),
        dataset: { testid: "confirm-retry-yes" },
        onclick: async (event) => {
          event.currentTarget.disabled = true;
          try {
            const fresh = await studio.retryGeneration(card.id);
            settle(card);
            showCard(fresh);
          } catch (err) {
            ask(card, { kind: "problem", message: `It was not started: ${err.message}` });
          }
        },
      }),
    ]),
  ]);
}

async function askRetry(card) {
  ask(card, { kind: "retry" });
  try {
    const quote = await studio.quoteGeneration(requestOfCard(card));
    if (open.get(card.id)?.kind === "retry") ask(card, { kind: "retry", quote });
  } catch (err) {
    if (open.get(card.id)?.kind === "retry") ask(card, { kind: "retry", failure: `The price could not be worked out, so it cannot be made again from here: ${err.message}` });
  }
}

/** The request a card was made from, as `quote_generation` reads it. */
function requestOfCard(card) {
  const extension = card.firstFrameUrl?.split(/[?#]/)[0].split(".").pop()?.toLowerCase();
  const mime = { png: "image/png", webp: "image/webp" }[extension] ?? "image/jpeg";
  return {
    provider: card.provider,
    model: card.model,
    prompt: card.prompt ?? "",
    firstFrame: card.firstFrameUrl ? { kind: "picture", mime } : null,
    duration: card.duration,
    resolution: card.resolution,
    promptOptimizer: true,
    fastPretreatment: false,
  };
}

async function act(card, action) {
  try {
    settle(card, await action());
  } catch (err) {
    ask(card, { kind: "problem", message: err.message });
  }
}

async function checkNow(card, button) {
  button.disabled = true;
  button.textContent = "Checking…";
  await act(card, () => studio.checkGenerationNow(card.id));
}

function copyPrompt(card, button) {
  return copyText(card.prompt, button, "Copy prompt");
}

/** Puts `text` on the clipboard; the button says "Copied" for a moment, then `label` again. */
async function copyText(text, button, label) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Some webviews refuse the clipboard API: copy through a selection instead.
    const area = el("textarea", { value: text, className: "offscreen" });
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  button.textContent = "Copied";
  setTimeout(() => {
    button.textContent = label;
  }, 1500);
}

/**
 * Plays a card's video in the app's one player, the Library's: the generation as the Library
 * lists it (its facts, money and actions), or, if the Library cannot be read, what the card knows.
 */
async function play(card) {
  let item = null;
  try {
    item = (await studio.libraryList()).generations.find((i) => i.generation.id === card.id) ?? null;
  } catch {
    // The card alone is enough to play the video.
  }
  openPlayer(item ?? itemOfCard(card));
}

/** A Library item made from a queue card, for the player. */
function itemOfCard(card) {
  return {
    generation: {
      id: card.id,
      state: card.state,
      createdAt: card.createdAt,
      request: { prompt: card.prompt, provider: card.provider, model: card.model, duration: card.duration, resolution: card.resolution },
      chargedCost: card.cost.charged != null ? { money: { amount: card.cost.charged, currency: card.cost.currency } } : null,
      estimatedCost: card.cost.estimate != null ? { money: { amount: card.cost.estimate, currency: card.cost.currency }, label: card.cost.basis } : null,
      error: null,
    },
    stateLabel: card.stateWords,
    folder: card.folder,
    media: { video: card.videoUrl, poster: null },
    money: card.mayHaveBeenCharged ? "may-have-been-charged" : null,
  };
}
