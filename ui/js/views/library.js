// The Library screen: every generation, newest first, with its poster; search by prompt, filter
// by service and state. The grid is virtual: only the cards in view (and a margin) are in the
// DOM, so ten thousand generations scroll like ten.

import { el, showError } from "../dom.js";
import { studio } from "../tauri.js";
import { PROVIDER_FILTERS, STATE_FILTERS, filterLibrary, madeAt, moneyWords, settingsLine } from "../library-filter.js";
import { cardPosition, gridHeight, gridLayout, visibleRange } from "../library-grid.js";
import { drawStill } from "../still-frames.js";
import { openPlayer } from "./player.js";

/** How long after a change in the queue the Library is read again (a burst is read once). */
const REFRESH_AFTER_MS = 400;

/** Shows the Library in `container`; answers nothing, the screen keeps itself up to date. */
export async function showLibrary(container) {
  const screen = new LibraryScreen(container);
  await screen.load();
}

class LibraryScreen {
  constructor(container) {
    this.container = container;
    this.items = [];
    this.filtered = [];
    this.filters = { query: "", provider: "all", state: "all" };
    /** id → the card element drawn for it; only cards in view are here. */
    this.drawn = new Map();
    this.layout = null;
    this.frame = 0;
    this.posters = new PosterMaker((item) => this.posterMade(item));

    this.count = el("p", { className: "library-count muted", role: "status", dataset: { testid: "library-count" } });
    this.search = el("input", {
      type: "search",
      className: "text-input library-search",
      placeholder: "Search prompts",
      ariaLabel: "Search prompts",
      dataset: { testid: "library-search" },
      oninput: () => this.filterChanged({ query: this.search.value }),
    });
    this.provider = choice("Service", PROVIDER_FILTERS, "library-provider", (value) => this.filterChanged({ provider: value }));
    this.state = choice("State", STATE_FILTERS, "library-state", (value) => this.filterChanged({ state: value }));
    this.canvas = el("div", { className: "library-canvas", dataset: { testid: "library-grid" } });
    this.empty = el("div", { className: "library-empty", hidden: true });
    this.scroller = el("div", { className: "library-scroller", tabIndex: -1 }, [this.canvas, this.empty]);
    this.notes = el("div", { className: "library-notes" });
    this.body = el("div", { className: "library-body" }, [el("p", { className: "loading", textContent: "Opening your library…" })]);

    this.section = el("section", { className: "library", dataset: { testid: "library-screen" } }, [
      el("header", { className: "library-head" }, [el("h1", { textContent: "Library" }), this.count]),
      el("div", { className: "library-tools", role: "search" }, [this.search, this.provider.field, this.state.field]),
      this.notes,
      this.body,
    ]);
    container.replaceChildren(this.section);

    this.scroller.addEventListener("scroll", () => this.schedule(), { passive: true });
    this.resize = new ResizeObserver(() => this.schedule(true));
    // A generation started, finished or failed while the Library is open: list it again, a
    // little later so that a burst of changes is read once.
    this.refreshTimer = 0;
    this.onLibraryChanged = () => {
      clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(() => this.refresh(), REFRESH_AFTER_MS);
    };
    document.addEventListener("library-changed", this.onLibraryChanged);
  }

  async load() {
    let listing;
    try {
      listing = await studio.libraryList();
    } catch (err) {
      this.body.replaceChildren(showError(err));
      return;
    }
    this.items = listing.generations;
    this.notes.replaceChildren(...brokenNote(listing.broken));
    this.body.replaceChildren(this.scroller);
    this.resize.observe(this.scroller);
    this.applyFilters();
  }

  /** Reads the library again in place: the filters and the scroll position stay. */
  async refresh() {
    if (!this.section.isConnected) return this.leave();
    // Still opening: the first reading is newer than the change.
    if (!this.scroller.isConnected) return undefined;
    let listing;
    try {
      listing = await studio.libraryList();
    } catch (err) {
      // The list on screen is still right as far as it goes; the next change tries again.
      console.warn("The Library could not be read again:", err?.message ?? err);
      return;
    }
    if (!this.section.isConnected) return this.leave();
    const posters = new Map(this.items.map((item) => [item.generation.id, item]));
    this.items = listing.generations.map((item) => keepPosterState(item, posters.get(item.generation.id)));
    this.notes.replaceChildren(...brokenNote(listing.broken));
    this.filtered = filterLibrary(this.items, this.filters);
    // Cards are drawn again from the new items (a state or a cost may have changed).
    for (const card of this.drawn.values()) card.remove();
    this.drawn.clear();
    this.showCount();
    this.showEmpty();
    this.schedule(true);
  }

  /** The creator went to another screen: stop following changes, sizes and posters. */
  leave() {
    document.removeEventListener("library-changed", this.onLibraryChanged);
    clearTimeout(this.refreshTimer);
    this.resize.disconnect();
    this.posters.stop();
  }

  filterChanged(change) {
    Object.assign(this.filters, change);
    this.applyFilters();
  }

  applyFilters() {
    this.filtered = filterLibrary(this.items, this.filters);
    for (const card of this.drawn.values()) card.remove();
    this.drawn.clear();
    this.scroller.scrollTop = 0;
    this.showCount();
    this.showEmpty();
    this.schedule(true);
  }

  showCount() {
    const all = this.items.length;
    const shown = this.filtered.length;
    const noun = all === 1 ? "generation" : "generations";
    const number = (n) => n.toLocaleString();
    this.count.textContent = shown === all ? `${number(all)} ${noun}` : `${number(shown)} of ${number(all)} ${noun}`;
    Object.assign(this.count.dataset, { shown: String(shown), total: String(all) });
  }

  showEmpty() {
    const none = this.filtered.length === 0;
    this.empty.hidden = !none;
    if (!none) return;
    if (this.items.length === 0) {
      this.empty.replaceChildren(
        el("h2", { textContent: "Your library is empty" }),
        el("p", { className: "muted", textContent: "Every video you make is saved here, with its prompt and settings." }),
      );
    } else {
      this.empty.replaceChildren(
        el("h2", { textContent: "Nothing matches" }),
        el("p", { className: "muted", textContent: "No generation matches this search and these filters." }),
        el("button", { type: "button", className: "button", textContent: "Show everything", onclick: () => this.clearFilters() }),
      );
    }
  }

  clearFilters() {
    this.search.value = "";
    this.provider.select.value = "all";
    this.state.select.value = "all";
    this.filters = { query: "", provider: "all", state: "all" };
    this.applyFilters();
  }

  /** Draws on the next frame, once however many scroll events arrive in between. */
  schedule(relayout = false) {
    if (relayout) this.layout = null;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  draw() {
    if (!this.scroller.isConnected) return this.leave();
    const width = this.scroller.clientWidth;
    if (!this.layout || this.layout.width !== width) {
      this.layout = { ...gridLayout(width), width };
      for (const card of this.drawn.values()) card.dataset.placed = "";
    }
    const layout = this.layout;
    this.canvas.style.height = `${gridHeight(layout, this.filtered.length)}px`;
    const { start, end } = visibleRange(layout, this.filtered.length, this.scroller.scrollTop, this.scroller.clientHeight);
    const wanted = new Set();
    for (let index = start; index < end; index += 1) wanted.add(this.filtered[index].generation.id);
    for (const [id, card] of this.drawn) {
      if (!wanted.has(id)) {
        card.remove();
        this.drawn.delete(id);
      }
    }
    for (let index = start; index < end; index += 1) {
      const item = this.filtered[index];
      let card = this.drawn.get(item.generation.id);
      if (!card) {
        card = this.card(item);
        this.drawn.set(item.generation.id, card);
        this.canvas.append(card);
      }
      const placed = `${index}@${layout.width}`;
      if (card.dataset.placed !== placed) {
        const { top, left } = cardPosition(layout, index);
        card.style.transform = `translate(${left}px, ${top}px)`;
        card.style.width = `${layout.cardWidth}px`;
        card.style.height = `${layout.cardHeight}px`;
        card.dataset.placed = placed;
      }
      if (needsPoster(item)) this.posters.want(item);
    }
  }

  card(item) {
    const generation = item.generation;
    const money = moneyWords(item);
    return el(
      "button",
      {
        type: "button",
        className: "library-card",
        dataset: { testid: "library-card", id: generation.id, state: generation.state },
        onclick: () => this.open(item),
      },
      [
        el("span", { className: "library-thumb" }, [thumbnail(item), generation.state === "done" ? null : el("span", { className: `state-badge ${generation.state}`, textContent: item.stateLabel })]),
        el("span", { className: "library-prompt", textContent: generation.request.prompt || "(no prompt: a first frame only)" }),
        el("span", { className: "library-meta" }, [
          el("span", { textContent: madeAt(generation.createdAt) }),
          el("span", { className: "library-cost", title: money.detail, dataset: { testid: "library-cost" }, textContent: money.text }),
        ]),
        el("span", { className: "library-settings", textContent: settingsLine(generation.request) }),
      ],
    );
  }

  /** A poster arrived: show it on the card if the card is drawn. */
  posterMade(item) {
    // The Library may have been read again meanwhile: the poster belongs to the new item too.
    const current = this.items.find((i) => i.generation.id === item.generation.id);
    if (current && current !== item) keepPosterState(current, item);
    const card = this.drawn.get(item.generation.id);
    const thumb = card?.querySelector(".library-thumb");
    thumb?.firstChild?.replaceWith(thumbnail(item));
  }

  open(item) {
    openPlayer(item, {
      onDeleted: (id) => {
        this.items = this.items.filter((i) => i.generation.id !== id);
        this.applyFilters();
      },
      onClosed: () => this.drawn.get(item.generation.id)?.focus({ preventScroll: true }),
    });
  }
}

function choice(label, options, testid, onChange) {
  const select = el(
    "select",
    { className: "text-input", dataset: { testid }, onchange: () => onChange(select.value) },
    options.map((o) => el("option", { value: o.value, textContent: o.label })),
  );
  const field = el("label", { className: "library-filter" }, [el("span", { className: "visually-hidden", textContent: label }), select]);
  return { field, select };
}

function thumbnail(item) {
  if (item.media.poster) return el("img", { src: item.media.poster, alt: "", loading: "lazy", decoding: "async", draggable: false });
  let text = "";
  if (item.media.video) text = item.posterFailed ? "No preview" : "Making a preview…";
  else if (item.generation.state === "done") text = "The video file is missing";
  return el("span", { className: "library-placeholder", textContent: text });
}

function needsPoster(item) {
  return item.media.video && !item.media.poster && !item.posterFailed;
}

/**
 * What the screen learnt about a poster since the listing was read (one drawn meanwhile, or
 * one that cannot be drawn), carried over to the same generation's item in a newer listing.
 */
function keepPosterState(item, earlier) {
  if (!earlier) return item;
  if (!item.media.poster && earlier.media.poster) item.media.poster = earlier.media.poster;
  if (earlier.posterFailed) item.posterFailed = true;
  return item;
}

function brokenNote(broken) {
  if (!broken?.length) return [];
  return [
    el("details", { className: "library-broken" }, [
      el("summary", { textContent: `${broken.length} folder${broken.length === 1 ? "" : "s"} in the library could not be read` }),
      el(
        "ul",
        {},
        broken.map((b) => el("li", {}, [el("code", { textContent: b.folder }), el("span", { textContent: ` ${b.reason}` })])),
      ),
    ]),
  ];
}

/** Makes missing posters one at a time (each opens a video), for the cards the creator sees. */
class PosterMaker {
  constructor(onMade) {
    this.onMade = onMade;
    this.waiting = [];
    this.asked = new Set();
    this.running = false;
    this.stopped = false;
  }

  want(item) {
    if (this.stopped || this.asked.has(item.generation.id)) return;
    this.asked.add(item.generation.id);
    this.waiting.push(item);
    if (!this.running) this.run();
  }

  stop() {
    this.stopped = true;
    this.waiting = [];
  }

  async run() {
    this.running = true;
    while (this.waiting.length && !this.stopped) {
      const item = this.waiting.shift();
      try {
        const jpeg = await drawStill(item.media.video, "poster");
        item.media.poster = await studio.savePoster(item.generation.id, jpeg);
        this.onMade(item);
      } catch (err) {
        // The card keeps its placeholder; the next visit to the Library tries again.
        item.posterFailed = true;
        console.warn("No poster for", item.generation.id, err?.message ?? err);
        this.onMade(item);
      }
    }
    this.running = false;
  }
}
