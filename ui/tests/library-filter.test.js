// The Library finds generations by their prompt's words and narrows by service and state.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  canDelete,
  moneyWords,
  clock,
  filterLibrary,
  firstFramePath,
  remixDetail,
  composeFromRemix,
  searchTerms,
  settingsLine,
  stateGroup,
} from "../js/library-filter.js";

function item(id, prompt, { provider = "minimax-global", state = "done", firstFrame, folder = `/lib/${id}` } = {}) {
  return {
    folder,
    generation: {
      id,
      state,
      request: { provider, model: "hailuo-2.3", prompt, duration: 6, resolution: "768P", firstFrame },
    },
  };
}

const library = [
  item("g5", "A paper boat on a puddle [Push in]", { provider: "openrouter" }),
  item("g4", "Café terrace at night, rain", { state: "running" }),
  item("g3", "A kite over dunes", { provider: "linkmodel", state: "failed" }),
  item("g2", "A PAPER crane unfolding", { state: "unknown" }),
  item("g1", "Lighthouse at dusk", { provider: "minimax-china", state: "cancelled" }),
];
const ids = (items) => items.map((i) => i.generation.id);

test("no search and no filter shows everything, newest first as listed", () => {
  assert.deepEqual(ids(filterLibrary(library)), ["g5", "g4", "g3", "g2", "g1"]);
});

test("every word of the search must be in the prompt, in any order and case", () => {
  assert.deepEqual(ids(filterLibrary(library, { query: "paper" })), ["g5", "g2"]);
  assert.deepEqual(ids(filterLibrary(library, { query: "  boat   PAPER " })), ["g5"]);
  assert.deepEqual(ids(filterLibrary(library, { query: "paper dunes" })), []);
});

test("accents do not matter when searching", () => {
  assert.deepEqual(ids(filterLibrary(library, { query: "cafe" })), ["g4"]);
  assert.deepEqual(ids(filterLibrary(library, { query: "CAFÉ" })), ["g4"]);
  assert.deepEqual(searchTerms(" Été  x "), ["ete", "x"]);
});

test("filters narrow by service and by state, together with the search", () => {
  assert.deepEqual(ids(filterLibrary(library, { provider: "minimax-global" })), ["g4", "g2"]);
  assert.deepEqual(ids(filterLibrary(library, { state: "in-progress" })), ["g4"]);
  assert.deepEqual(ids(filterLibrary(library, { state: "may-have-been-charged" })), ["g2"]);
  assert.deepEqual(ids(filterLibrary(library, { query: "paper", provider: "openrouter", state: "ready" })), ["g5"]);
});

test("every state falls under one filter", () => {
  const groups = ["waiting", "submitting", "queued", "running", "downloading", "done", "failed", "cancelled", "unknown"].map(stateGroup);
  assert.deepEqual(groups, [
    "in-progress", "in-progress", "in-progress", "in-progress", "in-progress",
    "ready", "failed", "cancelled", "may-have-been-charged",
  ]);
});

test("ten thousand generations are searched quickly", () => {
  const many = Array.from({ length: 10_000 }, (_, i) => item(`g${i}`, `Clip number ${i} of a lighthouse at dusk`));
  filterLibrary(many, { query: "warm up" });
  const started = performance.now();
  const found = filterLibrary(many, { query: "number 9999" });
  const took = performance.now() - started;
  assert.deepEqual(ids(found), ["g9999"]);
  assert.ok(took < 50, `searching took ${took.toFixed(1)} ms`);
});

test("settings read as model, length, resolution and service", () => {
  assert.equal(settingsLine(library[0].generation.request), "Hailuo 2.3 · 6 s · 768P · OpenRouter");
});

test("the player's clock reads minutes and seconds", () => {
  assert.equal(clock(0), "0:00");
  assert.equal(clock(5.9), "0:05");
  assert.equal(clock(65.2), "1:05");
  assert.equal(clock(NaN), "0:00");
});

test("a remix carries the record, its folder and the first frame's picture path", () => {
  const withPicture = item("g9", "A fox", {
    firstFrame: { kind: "picture", fileName: "first-frame.png", mime: "image/png" },
    folder: "/home/me/Videos/Hailuo Studio/2026-11-21 1432 a-fox",
  });
  const detail = remixDetail(withPicture);
  assert.equal(detail.id, "g9");
  assert.equal(detail.request.prompt, "A fox");
  assert.equal(detail.firstFramePath, "/home/me/Videos/Hailuo Studio/2026-11-21 1432 a-fox/first-frame.png");
  const windows = item("g8", "x", { firstFrame: { kind: "picture", fileName: "first-frame.jpg" }, folder: "C:\\Videos\\x\\" });
  assert.equal(firstFramePath(windows), "C:\\Videos\\x\\first-frame.jpg");
  assert.equal(firstFramePath(item("g7", "x", { firstFrame: { kind: "link", url: "https://a/b.png" } })), null);
});

test("only generations that can no longer receive a video can be deleted", () => {
  assert.equal(canDelete(item("a", "x", { state: "done" })), true);
  assert.equal(canDelete(item("a", "x", { state: "unknown" })), true);
  assert.equal(canDelete(item("a", "x", { state: "running" })), false);
  assert.equal(canDelete(item("a", "x", { state: "downloading" })), false);
});

test("a remix from the Library brings back prompt, settings, optimizer and the kept first frame", () => {
  const detail = {
    request: {
      provider: "minimax-china",
      model: "hailuo-2.3-fast",
      prompt: "A fox [Pan left]",
      duration: 6,
      resolution: "1080P",
      promptOptimizer: false,
      firstFrame: { kind: "picture", fileName: "first-frame.jpg", mime: "image/jpeg" },
    },
    folder: "/videos/2026-11-21 fox",
    firstFramePath: "/videos/2026-11-21 fox/first-frame.jpg",
  };
  assert.deepEqual(composeFromRemix(detail), {
    settings: { provider: "minimax-china", model: "hailuo-2.3-fast", prompt: "A fox [Pan left]", duration: 6, resolution: "1080P", promptOptimizer: false },
    firstFrame: { kind: "path", path: "/videos/2026-11-21 fox/first-frame.jpg" },
  });
  const linked = { ...detail, firstFramePath: null, request: { ...detail.request, firstFrame: { kind: "link", url: "https://cdn.example/p.png" } } };
  assert.deepEqual(composeFromRemix(linked).firstFrame, { kind: "link", url: "https://cdn.example/p.png" });
  const textOnly = { ...detail, firstFramePath: null, request: { ...detail.request, firstFrame: undefined } };
  assert.equal(composeFromRemix(textOnly).firstFrame, null);
});

test("a failed video's money reads Not charged, never a bare price", () => {
  const quoted = { money: { amount: "0.28", currency: "USD" }, label: "$0.28 — MiniMax list price" };
  const item = (generation, money) => ({ generation: { state: "done", request: {}, ...generation }, money });
  assert.equal(moneyWords(item({ state: "failed", estimatedCost: quoted })).text, "Not charged");
  assert.equal(moneyWords(item({ state: "cancelled", estimatedCost: quoted })).text, "Not charged");
  assert.equal(moneyWords(item({ state: "failed", estimatedCost: quoted }, "may-have-been-charged")).text, "May have been charged about $0.28");
  assert.equal(moneyWords(item({ state: "unknown", estimatedCost: quoted })).text, "May have been charged about $0.28");
  assert.equal(moneyWords(item({ state: "failed", estimatedCost: quoted, chargedCost: { money: { amount: "0", currency: "USD" } } })).text, "Not charged");
  assert.equal(moneyWords(item({ state: "done", estimatedCost: quoted, chargedCost: { money: { amount: "0.224", currency: "USD" } } })).text, "Charged $0.22");
  assert.equal(moneyWords(item({ state: "done", estimatedCost: quoted })).text, "About $0.28");
  assert.equal(moneyWords(item({ state: "running", estimatedCost: quoted })).text, "Will cost about $0.28");
  for (const state of ["failed", "cancelled", "unknown"]) {
    assert.doesNotMatch(moneyWords(item({ state, estimatedCost: quoted })).text, /^\$/);
  }
});
