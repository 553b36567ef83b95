// How a generation card reads in the queue: time, time left, download, cost and warnings, in the
// creator's words. Plain functions over the `GenerationCard` JSON, so node can test them.

import { formatMoney } from "./money.js";

/** States after which nothing more happens to a generation. */
const FINISHED = new Set(["done", "failed", "cancelled"]);
/** States in which the video is being made, or waits to be. */
const MAKING = new Set(["waiting", "submitting", "queued", "running"]);

export function isFinished(card) {
  return FINISHED.has(card.state);
}

/**
 * How far along its life each state is. A generation only ever moves forward (the core's
 * `GenerationState::can_become`), so a card of an earlier stage than the one shown is an old
 * snapshot: a command's answer overtaken by the watch's newer cards.
 */
/**
 * Whether `incoming` is older news than `current`, the card of the same generation already shown:
 * it has been through fewer state changes. (Generate's answer can arrive after the watch told what
 * happened next; a submit that started nothing goes back to waiting, which is news, not old.)
 */
export function isOvertaken(incoming, current) {
  return incoming.changes < current.changes;
}

/** Whether the app still follows this generation (asks the service, will download it). */
export function isTracked(card) {
  return !isFinished(card) && !card.stopped;
}

/**
 * Whether it counts as "in progress" (the tab's badge): followed, and something is happening to
 * it. A submit that got no answer and no task id is followed by nobody until the creator decides.
 */
export function isInProgress(card) {
  return isTracked(card) && (card.state !== "unknown" || card.canCheckNow);
}

/**
 * Seconds since the generation started, counted on from the card's `elapsedSeconds` by the time
 * since the card arrived; a finished or no longer followed generation's clock stands still.
 */
export function liveElapsed(card, receivedAtMs, nowMs) {
  if (!isTracked(card)) return card.elapsedSeconds;
  return card.elapsedSeconds + Math.max(0, Math.floor((nowMs - receivedAtMs) / 1000));
}

/**
 * `under a minute`, `3 min`, `1 h 02 min`. Never seconds: every change of the words repaints the
 * window, about 0.1 s of a core on a machine without a GPU (BENCHMARKS.md), so five cards ticking
 * each second would keep a core 10% busy while the creator waits.
 */
export function elapsedWords(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return "under a minute";
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/** How often running clocks move: all together, so that at most one repaint is paid per beat. */
export const CLOCK_BEAT_MS = 30_000;

/** Milliseconds from `nowMs` to the next beat, on the wall clock's :00 and :30. */
export function untilNextBeat(nowMs) {
  return CLOCK_BEAT_MS - (nowMs % CLOCK_BEAT_MS);
}

/**
 * How long is left, judged from how long the same kind of video took on this computer before
 * (`expectedSeconds`); without a past one, the services' own range. Null once it is no longer
 * being made.
 */
export function timeLeftWords(card, elapsed) {
  if (!MAKING.has(card.state) || card.stopped) return null;
  if (card.expectedSeconds == null) return "Usually takes 1 to 10 minutes";
  const left = card.expectedSeconds - elapsed;
  if (left <= 0) return "Taking longer than usual";
  if (left <= 90) return "About a minute left";
  return `About ${Math.round(left / 60)} min left`;
}

/** The download's progress from 0 to 100, or null when its size is not known yet. */
export function downloadPercent(download) {
  if (!download || !download.total) return null;
  return Math.min(100, Math.floor((download.bytes / download.total) * 100));
}

/** `Downloading: 45% of 5.9 MB`, or `Downloading: 2.4 MB so far` without a known size. */
export function downloadWords(download) {
  if (!download) return null;
  const percent = downloadPercent(download);
  if (percent === null) return `Downloading: ${mb(download.bytes)} so far`;
  return `Downloading: ${percent}% of ${mb(download.total)}`;
}

function mb(bytes) {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/**
 * The cost line: what was charged when the service said so, otherwise the estimate, marked as
 * one. `detail` says how the figure is known, in the app's words.
 */
export function costWords(card) {
  const { estimate, charged, currency, basis } = card.cost;
  const money = (amount) => formatMoney({ amount, currency });
  const about = estimate == null ? "" : ` about ${money(estimate)}`;
  if (charged != null) {
    if (Number(charged) === 0) return { text: "Not charged", detail: basis, known: true };
    return { text: `Charged ${money(charged)}`, detail: basis, known: true };
  }
  if (card.mayHaveBeenCharged) return { text: `May have been charged${about}`, detail: basis, known: false };
  // The service's own word (the card says when it left it in doubt): not an estimate.
  if (card.state === "failed" || card.state === "cancelled") return { text: "Not charged", detail: basis, known: true };
  if (estimate == null) return { text: "Price not known yet", detail: basis, known: false };
  if (card.state === "waiting") return { text: `Will cost${about}`, detail: basis, known: false };
  return { text: `About ${money(estimate)}`, detail: basis, known: false };
}

/**
 * The warnings a card carries, most pressing first, each saying what it means for the creator.
 * The state line already names some of them (offline); those are not said twice.
 */
export function flagWords(card) {
  const flags = [];
  const said = card.stateWords.toLowerCase();
  if (card.mayHaveBeenCharged && card.cost.charged == null) {
    flags.push({
      kind: "charged",
      text: "The service did not say whether this cost money. Check your account with the service before making it again.",
    });
  }
  if (card.offline && isTracked(card) && !said.includes("offline")) {
    flags.push({ kind: "offline", text: "Offline: the app will check again when the connection is back." });
  }
  if (card.longRunning && isTracked(card)) {
    flags.push({
      kind: "long",
      text: "Over 30 minutes at the service. It may still finish; the app keeps checking, less often.",
    });
  }
  return flags;
}

/** The buttons a card offers in its state. */
export function cardActions(card) {
  const tracked = isTracked(card);
  return {
    open: Boolean(card.videoUrl),
    remix: true,
    copyPrompt: Boolean(card.prompt),
    checkNow: tracked && card.canCheckNow,
    stopTracking: tracked,
    retry: card.state === "failed" || card.state === "cancelled",
  };
}

/** What stopping costs, said before the creator confirms. */
export function stopWarning(card) {
  if (card.state === "waiting") {
    return "It has not been sent to the service yet, so nothing will be charged.";
  }
  return "The service may still finish this video and charge you for it, but the app will no longer check on it or download it.";
}

/** Newest first, as a creator reads a queue. */
export function sortCards(cards) {
  return [...cards].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

/** `MiniMax · Hailuo 2.3 · 768P · 6 s`, with the seconds kept on the number's line. */
export function settingsLine(card, providerNames, modelNames) {
  return [providerNames[card.provider] ?? card.provider, modelNames[card.model] ?? card.model, card.resolution, `${card.duration}\u00a0s`].join(" · ");
}

/** Where the card's prompt would go back into Compose: its settings, as the request holds them. */
export function remixSettings(card) {
  return {
    provider: card.provider,
    model: card.model,
    prompt: card.prompt ?? "",
    duration: card.duration,
    resolution: card.resolution,
  };
}
