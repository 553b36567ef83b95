// What the Library shows: search by prompt, filter by service and state, and how a generation's
// settings read. Plain functions, no DOM, so node can test them.

import { PROVIDER_NAMES, formatMoney } from "./money.js";

/** The state filter's choices, in the creator's words. */
export const STATE_FILTERS = [
  { value: "all", label: "Any state" },
  { value: "ready", label: "Ready" },
  { value: "in-progress", label: "Being made" },
  { value: "failed", label: "Failed" },
  { value: "may-have-been-charged", label: "May have been charged" },
  { value: "cancelled", label: "Cancelled" },
];

/** The service filter's choices. */
export const PROVIDER_FILTERS = [
  { value: "all", label: "Any service" },
  ...Object.entries(PROVIDER_NAMES).map(([value, label]) => ({ value, label })),
];

/** Which state filter a generation's state falls under. */
export function stateGroup(state) {
  switch (state) {
    case "done":
      return "ready";
    case "failed":
      return "failed";
    case "cancelled":
      return "cancelled";
    case "unknown":
      return "may-have-been-charged";
    default:
      // waiting, submitting, queued, running, downloading
      return "in-progress";
  }
}

/** Lower case, accents off, so "cafe" finds "Café" and "ÉTÉ" finds "été". */
export function searchable(text) {
  return String(text ?? "")
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase();
}

const haystacks = new WeakMap();

function haystackOf(item) {
  let haystack = haystacks.get(item);
  if (haystack === undefined) {
    haystack = searchable(item.generation.request.prompt);
    haystacks.set(item, haystack);
  }
  return haystack;
}

/** The words of a search; every one must appear in the prompt, in any order. */
export function searchTerms(query) {
  return searchable(query).split(/\s+/).filter(Boolean);
}

/**
 * The items (as `library_list` lists them, newest first) that match the search and filters,
 * still newest first. `provider` and `state` are filter values; "all" lets everything through.
 */
export function filterLibrary(items, { query = "", provider = "all", state = "all" } = {}) {
  const terms = searchTerms(query);
  return items.filter((item) => {
    const generation = item.generation;
    if (provider !== "all" && generation.request.provider !== provider) return false;
    if (state !== "all" && stateGroup(generation.state) !== state) return false;
    if (terms.length === 0) return true;
    const haystack = haystackOf(item);
    return terms.every((term) => haystack.includes(term));
  });
}

const MODEL_NAMES = { "hailuo-2.3": "Hailuo 2.3", "hailuo-2.3-fast": "Hailuo 2.3 Fast" };

/** "Hailuo 2.3 · 6 s · 768P · MiniMax": the settings a generation was made with. */
export function settingsLine(request) {
  return [
    MODEL_NAMES[request.model] ?? request.model,
    `${request.duration} s`,
    request.resolution,
    PROVIDER_NAMES[request.provider] ?? request.provider,
  ].join(" · ");
}

/** "21 Nov 2026, 14:32" in the creator's own time zone. */
export function madeAt(rfc3339, locale = undefined) {
  const date = new Date(rfc3339);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleString(locale, { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** "1:05" for 65.2 seconds: the player's clock. */
export function clock(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return "0:00";
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

/**
 * The picture file of a generation's first frame on this computer, from its folder and the
 * file name in the record; null for a link or none.
 */
export function firstFramePath(item) {
  const frame = item.generation.request.firstFrame;
  if (frame?.kind !== "picture" || !frame.fileName || !item.folder) return null;
  const separator = item.folder.includes("\\") && !item.folder.includes("/") ? "\\" : "/";
  const folder = item.folder.endsWith(separator) ? item.folder.slice(0, -1) : item.folder;
  return `${folder}${separator}${frame.fileName}`;
}

/**
 * What the Remix event carries: the generation's record as `generation.json` holds it, with its
 * folder and, for a picture first frame, the picture's path on this computer.
 */
export function remixDetail(item) {
  return { ...item.generation, folder: item.folder, firstFramePath: firstFramePath(item) };
}

/**
 * What a remix from the Library puts back into Compose: the generation's prompt and settings
 * (optimizer included), and its first frame as a picture path or an https link.
 */
export function composeFromRemix(detail) {
  const request = detail.request;
  const settings = {
    provider: request.provider,
    model: request.model,
    prompt: request.prompt ?? "",
    duration: request.duration,
    resolution: request.resolution,
    promptOptimizer: request.promptOptimizer ?? true,
  };
  const frame = request.firstFrame;
  const firstFrame =
    frame?.kind === "link" ? { kind: "link", url: frame.url } : detail.firstFramePath ? { kind: "path", path: detail.firstFramePath } : null;
  return { settings, firstFrame };
}

/** Whether the creator can delete a generation now: never while a paid video may still arrive. */
export function canDelete(item) {
  return ["done", "failed", "cancelled", "unknown"].includes(item.generation.state);
}

/**
 * A generation's money in one short line, from what the backend knows: the reported charge, the
 * ledger's word (`item.money`), then the state. A failed video never shows a bare price.
 * `{text, detail}`: `detail` is how the figure is known, for a tooltip.
 */
export function moneyWords(item) {
  const generation = item.generation;
  const charged = generation.chargedCost?.money;
  const estimate = generation.estimatedCost;
  const about = estimate ? ` about ${formatMoney(estimate.money)}` : "";
  if (charged) {
    if (Number(charged.amount) === 0) return { text: "Not charged", detail: "The service reported no charge." };
    return { text: `Charged ${formatMoney(charged)}`, detail: "The charge the service reported." };
  }
  if (item.money === "may-have-been-charged" || generation.state === "unknown") {
    return { text: `May have been charged${about}`, detail: "The service did not say. Check your account with it." };
  }
  if (item.money === "not-charged" || generation.state === "failed" || generation.state === "cancelled") {
    return { text: "Not charged", detail: "It failed or was stopped before anything was charged." };
  }
  if (!estimate) return { text: "", detail: "" };
  if (generation.state === "done") return { text: `About ${formatMoney(estimate.money)}`, detail: estimate.label || "An estimate: the service did not report the charge." };
  return { text: `Will cost${about}`, detail: estimate.label || "An estimate." };
}
