// A queue card says how long, how much and what went wrong in the creator's words.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  cardActions,
  costWords,
  downloadPercent,
  downloadWords,
  elapsedWords,
  flagWords,
  isInProgress,
  isOvertaken,
  liveElapsed,
  remixSettings,
  settingsLine,
  sortCards,
  stopWarning,
  timeLeftWords,
  untilNextBeat,
  CLOCK_BEAT_MS,
} from "../js/queue-words.js";
import { MODEL_NAMES, PROVIDER_NAMES } from "../js/names.js";

function card(fields = {}) {
  return {
    id: "0193a1b2",
    state: "running",
    stateWords: "Generating",
    prompt: "A lighthouse at dusk [Push in]",
    provider: "minimax-global",
    model: "hailuo-2.3",
    resolution: "768P",
    duration: 6,
    createdAt: "2026-11-21T20:00:00Z",
    finishedAt: null,
    elapsedSeconds: 100,
    expectedSeconds: 300,
    download: null,
    offline: false,
    longRunning: false,
    mayHaveBeenCharged: false,
    canCheckNow: true,
    changes: 3,
    stopped: false,
    error: null,
    cost: { estimate: "0.28", charged: null, currency: "USD", basis: "MiniMax's price list, checked 2026-11-01" },
    firstFrameUrl: null,
    videoUrl: null,
    folder: "/videos/lighthouse",
    ...fields,
  };
}

test("elapsed time reads in minutes, then hours, never in ticking seconds", () => {
  assert.equal(elapsedWords(45), "under a minute");
  assert.equal(elapsedWords(59), "under a minute");
  assert.equal(elapsedWords(60), "1 min");
  assert.equal(elapsedWords(185), "3 min");
  assert.equal(elapsedWords(3720), "1 h 02 min");
  assert.equal(elapsedWords(-3), "under a minute");
});

test("every card's clock moves on the same beat, at :00 and :30 on the wall clock", () => {
  const at = (time) => Date.parse(`2026-11-21T20:01:${time}Z`);
  assert.equal(untilNextBeat(at("00.000")), CLOCK_BEAT_MS, "on a beat, the next is a whole beat away");
  assert.equal(untilNextBeat(at("12.500")), 17_500);
  assert.equal(untilNextBeat(at("29.999")), 1);
  assert.equal(untilNextBeat(at("45.000")), 15_000);
});

test("time left comes from how long the same video took before on this computer", () => {
  assert.equal(timeLeftWords(card(), 100), "About 3 min left");
  assert.equal(timeLeftWords(card(), 250), "About a minute left");
  assert.equal(timeLeftWords(card(), 301), "Taking longer than usual");
  assert.equal(timeLeftWords(card({ expectedSeconds: null }), 100), "Usually takes 1 to 10 minutes");
});

test("time left is not said once the video is made or no longer followed", () => {
  assert.equal(timeLeftWords(card({ state: "downloading" }), 100), null);
  assert.equal(timeLeftWords(card({ state: "done" }), 100), null);
  assert.equal(timeLeftWords(card({ stopped: true }), 100), null);
});

test("the clock runs on between updates only while the app follows the generation", () => {
  const received = Date.parse("2026-11-21T20:01:40Z");
  assert.equal(liveElapsed(card(), received, received + 12_500), 112);
  assert.equal(liveElapsed(card({ state: "done" }), received, received + 12_500), 100);
  assert.equal(liveElapsed(card({ stopped: true }), received, received + 12_500), 100);
});

test("download progress is a percentage of a known size, or bytes so far", () => {
  assert.equal(downloadPercent({ bytes: 2_700_000, total: 5_896_337 }), 45);
  assert.equal(downloadWords({ bytes: 2_700_000, total: 5_896_337 }), "Downloading: 45% of 5.9 MB");
  assert.equal(downloadPercent({ bytes: 2_400_000, total: null }), null);
  assert.equal(downloadWords({ bytes: 2_400_000, total: null }), "Downloading: 2.4 MB so far");
  assert.equal(downloadWords(null), null);
});

test("the cost shows the charge when the service said it, else the estimate marked as one", () => {
  assert.deepEqual(costWords(card()), { text: "About $0.28", detail: "MiniMax's price list, checked 2026-11-01", known: false });
  assert.equal(costWords(card({ state: "waiting" })).text, "Will cost about $0.28");
  const charged = card({ state: "done", cost: { estimate: "0.224", charged: "0.224", currency: "USD", basis: "LinkModel's answer" } });
  assert.deepEqual(costWords(charged), { text: "Charged $0.22", detail: "LinkModel's answer", known: true });
  assert.equal(costWords(card({ cost: { estimate: "2.00", charged: null, currency: "CNY", basis: "" } })).text, "About ¥2.00");
  assert.equal(costWords(card({ cost: { estimate: null, charged: null, currency: "USD", basis: "estimate" } })).text, "Price not known yet");
  assert.equal(costWords(card({ mayHaveBeenCharged: true, cost: { estimate: null, charged: null, currency: "USD", basis: "" } })).text, "May have been charged");
});

test("a failed generation is not charged unless the service left it in doubt", () => {
  assert.equal(costWords(card({ state: "failed" })).text, "Not charged");
  assert.equal(costWords(card({ state: "failed", mayHaveBeenCharged: true })).text, "May have been charged about $0.28");
  assert.equal(costWords(card({ state: "failed", cost: { estimate: "0.49", charged: "0", currency: "USD", basis: "" } })).text, "Not charged");
});

test("warnings: maybe charged, offline and long-running, each said once", () => {
  assert.deepEqual(flagWords(card()), []);
  const all = card({ state: "unknown", stateWords: "No answer: may have been charged", mayHaveBeenCharged: true, offline: true, longRunning: true });
  assert.deepEqual(flagWords(all).map((f) => f.kind), ["charged", "offline", "long"]);
  assert.match(flagWords(all)[0].text, /Check your account/);
  // The state line already says it is offline.
  const offline = card({ offline: true, stateWords: "Offline — will resume (generating)" });
  assert.deepEqual(flagWords(offline), []);
  // A generation no longer followed is not called offline or long-running.
  assert.deepEqual(flagWords(card({ state: "cancelled", stopped: true, offline: true, longRunning: true })), []);
  // A charge the service reported is no longer in doubt.
  assert.deepEqual(flagWords(card({ mayHaveBeenCharged: true, cost: { estimate: "0.49", charged: "0.49", currency: "USD", basis: "" } })), []);
});

test("each state offers the actions that make sense in it", () => {
  assert.deepEqual(cardActions(card()), { open: false, remix: true, copyPrompt: true, checkNow: true, stopTracking: true, retry: false });
  assert.deepEqual(cardActions(card({ state: "waiting", canCheckNow: false })).checkNow, false);
  // A submit that got no answer has no task id: there is nothing to ask the service.
  const unknown = cardActions(card({ state: "unknown", mayHaveBeenCharged: true, canCheckNow: false }));
  assert.equal(unknown.checkNow, false);
  assert.equal(unknown.stopTracking, true);
  const done = cardActions(card({ state: "done", videoUrl: "http://127.0.0.1:4000/t/g/video.mp4" }));
  assert.deepEqual(done, { open: true, remix: true, copyPrompt: true, checkNow: false, stopTracking: false, retry: false });
  assert.equal(cardActions(card({ state: "failed" })).retry, true);
  assert.equal(cardActions(card({ state: "failed" })).stopTracking, false);
  const stopped = cardActions(card({ state: "cancelled", stopped: true }));
  assert.equal(stopped.retry, true);
  assert.equal(stopped.checkNow, false);
  assert.equal(stopped.stopTracking, false);
  assert.equal(cardActions(card({ prompt: "" })).copyPrompt, false);
});

test("stopping warns that the service may still charge, unless nothing was sent", () => {
  assert.match(stopWarning(card()), /may still finish this video and charge you/);
  assert.match(stopWarning(card({ state: "waiting" })), /nothing will be charged/);
});

test("cards are listed newest first", () => {
  const older = card({ id: "a", createdAt: "2026-11-21T19:00:00Z" });
  const newer = card({ id: "b", createdAt: "2026-11-21T20:30:00Z" });
  assert.deepEqual(sortCards([older, newer]).map((c) => c.id), ["b", "a"]);
});

test("a card's settings read as one line, and go back into Compose for a remix", () => {
  const fast = card({ model: "hailuo-2.3-fast", resolution: "1080P" });
  assert.equal(settingsLine(fast, PROVIDER_NAMES, MODEL_NAMES), "MiniMax · Hailuo 2.3 Fast · 1080P · 6\u00a0s");
  assert.deepEqual(remixSettings(fast), {
    provider: "minimax-global",
    model: "hailuo-2.3-fast",
    prompt: "A lighthouse at dusk [Push in]",
    duration: 6,
    resolution: "1080P",
  });
});

test("a card from earlier in a generation's life never replaces a later one", () => {
  // Generate answers the card as it was when queued; the watch may already have said it failed.
  assert.equal(isOvertaken(card({ state: "waiting", changes: 1 }), card({ state: "failed", changes: 3 })), true);
  assert.equal(isOvertaken(card({ state: "submitting", changes: 2 }), card({ state: "unknown", changes: 3 })), true);
  assert.equal(isOvertaken(card({ state: "running", changes: 4 }), card({ state: "downloading", changes: 5 })), true);
  // Forward, or news within the same state (download progress), is shown.
  assert.equal(isOvertaken(card({ state: "unknown", changes: 3 }), card({ state: "submitting", changes: 2 })), false);
  assert.equal(isOvertaken(card({ state: "downloading", changes: 5 }), card({ state: "downloading", changes: 5 })), false);
  assert.equal(isOvertaken(card({ state: "cancelled", changes: 2 }), card({ state: "waiting", changes: 1 })), false);
  // A submit that started nothing (offline) goes back to waiting: newer, though an earlier state.
  assert.equal(isOvertaken(card({ state: "waiting", changes: 3 }), card({ state: "submitting", changes: 2 })), false);
});

test("a submit with no answer and no task id is not counted as in progress", () => {
  assert.equal(isInProgress(card()), true);
  assert.equal(isInProgress(card({ state: "waiting", canCheckNow: false })), true);
  assert.equal(isInProgress(card({ state: "unknown", canCheckNow: false, mayHaveBeenCharged: true })), false);
  assert.equal(isInProgress(card({ state: "unknown", canCheckNow: true })), true, "a task id is still being asked about");
  assert.equal(isInProgress(card({ state: "done" })), false);
});

test("a failed card's Not charged is not marked as an estimate", () => {
  assert.equal(costWords(card({ state: "failed" })).known, true);
  assert.equal(costWords(card({ state: "cancelled" })).known, true);
});
