// The Create screen: write a prompt, add a first frame, pick settings, see the price, generate,
// and follow the generations in the queue beside it.

import { el } from "../dom.js";
import { studio, onFileDrop } from "../tauri.js";
import { formatMoney } from "../money.js";
import { MODEL_NAMES, PROVIDER_NAMES } from "../names.js";
import { CAMERA_MOVE_GROUPS, MAX_MOVES_TOGETHER, moveLabel, findCameraCommands, insertCameraCommand } from "../camera-moves.js";
import { quoteRequestOf, requestOf, startRequestOf } from "../request.js";
import { creditWarning, splitDetails, withArticle } from "../accounts.js";
import { detailsBox } from "./key-entry.js";
import { firstFrameArea } from "./first-frame.js";
import { queuePanel, showCard } from "./queue.js";

const MAX_PROMPT_CHARS = 2000;

/** The Create screen on display, if any: OS drops and pastes go to its first-frame area. */
let current = null;

// Registered once for the whole run: the screen is rebuilt each time it is shown.
onFileDrop((drop) => {
  if (!current?.isShown()) return;
  if (drop.type === "drop") {
    current.firstFrame.setDragging(false);
    current.firstFrame.takeDropped(drop.paths);
  } else {
    current.firstFrame.setDragging(drop.type === "over");
  }
});

document.addEventListener("paste", (event) => {
  if (!current?.isShown()) return;
  const picture = [...(event.clipboardData?.files ?? [])].find((file) => file.type.startsWith("image/"));
  if (!picture) return; // text pastes go where the creator pasted them
  event.preventDefault();
  current.firstFrame.takePasted(picture);
});

/** Characters as the model counts them (code points, so Chinese and emoji count once each). */
export function promptLength(text) {
  return [...text].length;
}

/**
 * Shows the Create screen. `compose` is the request being written; it survives switching
 * screens because the caller keeps it.
 */
export function showCreate(container, { compose, providersWithKeys }) {
  const prompt = el("textarea", {
    id: "prompt",
    className: "prompt-input",
    rows: 5,
    placeholder: "A lighthouse on a cliff at dusk, waves crashing below [Push in]",
    value: compose.prompt,
    dataset: { testid: "prompt" },
    ariaDescribedBy: "prompt-count",
  });
  const count = el("span", { id: "prompt-count", className: "prompt-count", ariaLive: "polite" });
  const cameraNote = el("p", { className: "camera-note muted" });

  const settings = el("div", { className: "settings-grid" });
  const problem = el("p", { className: "compose-problem", role: "status" });

  function updateCount() {
    const n = promptLength(prompt.value);
    count.textContent = `${n} / ${MAX_PROMPT_CHARS}`;
    count.classList.toggle("over", n > MAX_PROMPT_CHARS);
    const steps = findCameraCommands(prompt.value);
    const unknown = steps.flatMap((s) => s.unknown);
    if (unknown.length) {
      cameraNote.textContent = `Hailuo won't recognise ${unknown.map((u) => `“${u}”`).join(", ")} as a camera move; it will read it as words.`;
    } else if (steps.some((s) => s.tooMany)) {
      cameraNote.textContent = `Only ${MAX_MOVES_TOGETHER} camera moves can happen together inside one bracket.`;
    } else if (steps.length) {
      cameraNote.textContent = `Camera: ${steps.map((s) => s.moves.join(" + ")).join(", then ")}.`;
    } else {
      cameraNote.textContent = "";
    }
  }

  prompt.addEventListener("input", () => {
    compose.prompt = prompt.value;
    updateCount();
    refresh();
  });

  const picker = cameraPicker((commands) => {
    const { text, cursor } = insertCameraCommand(prompt.value, prompt.selectionStart, commands);
    prompt.value = text;
    compose.prompt = text;
    prompt.focus();
    prompt.setSelectionRange(cursor, cursor);
    updateCount();
    refresh();
  });

  const optimizer = el("input", { type: "checkbox", id: "prompt-optimizer", checked: compose.promptOptimizer });
  optimizer.addEventListener("change", () => {
    compose.promptOptimizer = optimizer.checked;
    refresh();
  });
  const optimizerRow = el("div", { className: "toggle-row" }, [
    optimizer,
    el("label", { htmlFor: "prompt-optimizer" }, [
      el("strong", { textContent: "Let MiniMax improve my prompt" }),
      el("span", {
        className: "muted",
        textContent: " It rewrites your words for a richer video, and may change camera moves you placed; turn it off to keep them exact.",
      }),
    ]),
  ]);

  const firstFrame = firstFrameArea(compose, () => refresh());
  const checkout = checkoutPanel(compose, providersWithKeys, firstFrame);

  let refreshing = 0;
  let frameDrawnFor = compose.provider;
  /** The chip just chosen, to be focused once the chips are drawn again. */
  let chosen = null;
  const pick = (testid) => {
    chosen = testid;
    refresh();
  };
  async function refresh() {
    const mine = ++refreshing;
    let choices;
    try {
      choices = await studio.generationChoices(requestOf(compose));
    } catch (err) {
      problem.textContent = err.message;
      return;
    }
    if (mine !== refreshing) return; // a newer refresh is on its way
    // The chips are drawn again: the one that had focus (or was just chosen) keeps it.
    const focused = settings.contains(document.activeElement) ? document.activeElement.dataset.testid : null;
    const keep = chosen ?? focused;
    chosen = null;
    settings.replaceChildren(
      segmented("Service", "provider", choices.providers, compose, (v) => PROVIDER_NAMES[v], pick, providersWithKeys),
      segmented("Model", "model", choices.models, compose, (v) => MODEL_NAMES[v], pick),
      segmented("Length", "duration", choices.durations, compose, (v) => `${v} s`, pick),
      segmented("Resolution", "resolution", choices.resolutions, compose, (v) => v, pick),
    );
    if (keep) settings.querySelector(`[data-testid="${CSS.escape(keep)}"]`)?.focus({ preventScroll: true });
    optimizerRow.hidden = !compose.provider.startsWith("minimax");
    problem.textContent = choices.problem ?? "";
    // The first frame's words depend on the service (LinkModel takes links only); redrawn only
    // when it changes, so a link being typed is not wiped by each keystroke in the prompt.
    if (frameDrawnFor !== compose.provider) {
      frameDrawnFor = compose.provider;
      firstFrame.render();
    }
    checkout.update(choices);
    container.dispatchEvent(new CustomEvent("compose-changed", { detail: { choices } }));
  }

  const screen = el("section", { className: "create", dataset: { testid: "create-screen" }, ariaLabelledBy: "create-title" }, [
    el("h1", { id: "create-title", className: "visually-hidden", textContent: "Create a video" }),
    el("div", { className: "compose panel" }, [
      el("div", { className: "field-head" }, [
        el("label", { htmlFor: "prompt", className: "field-label", textContent: "Describe your video" }),
        count,
      ]),
      prompt,
      cameraNote,
      // Right under the prompt: at the smallest window (900×600) Length and Resolution are seen
      // without scrolling; the camera moves and the first frame are extras below.
      settings,
      problem,
      picker,
      firstFrame.element,
      optimizerRow,
    ]),
    el("div", { className: "create-side" }, [checkout.element, queuePanel()]),
  ]);
  container.replaceChildren(screen);
  prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !checkout.generate.disabled) {
      event.preventDefault();
      checkout.generate.click();
    }
  });

  updateCount();
  refresh();
  current = { firstFrame, isShown: () => screen.isConnected };
  return {
    refresh,
    /** Puts a picture on this computer in as the first frame (a remixed generation's). */
    takeFirstFramePath: (path) => firstFrame.takePath(path),
  };
}

/** A message's sentence, with the service's codes under a closed "Details". */
function messageLines(message) {
  const { text, details } = splitDetails(message);
  return [el("p", { textContent: text }), detailsBox(details)];
}

/** Lead words for a refused Generate, by the error's kind; the message itself follows. */
const REFUSALS = {
  "over-budget": "Over your monthly budget",
  "no-key": "No key for this service",
  "invalid-request": "Not ready to generate",
  unpriced: "No price for this video",
  "keyring-unavailable": "Your keys cannot be read",
  "key-malformed": "Your saved key cannot be read",
};

/** Refusals that happen before anything is sent, so nothing can have been charged. */
function refusedBeforeSending(kind) {
  return kind in REFUSALS || kind.startsWith("first-frame");
}

/** The price before paying, the same video elsewhere, and the Generate button with its price. */
function checkoutPanel(compose, providersWithKeys, firstFrame) {
  const price = el("div", { className: "price-big" });
  const line = el("div", { className: "price-line" });
  const basis = el("div", { className: "price-basis muted" });
  const elsewhere = el("ul", { className: "elsewhere" });
  const warning = el("p", { className: "checkout-warning", role: "alert" });
  const outcome = el("div", { className: "generate-outcome", ariaLive: "polite", dataset: { testid: "generate-outcome" } });
  const generate = el("button", {
    type: "button",
    className: "button primary generate",
    dataset: { testid: "generate" },
    textContent: "Generate",
    disabled: true,
  });
  const element = el("aside", { className: "checkout panel", ariaLabel: "Price and generate" }, [
    el("div", { className: "cost-preview", dataset: { testid: "cost-preview" }, ariaLive: "polite" }, [price, line, basis]),
    elsewhere,
    warning,
    generate,
    outcome,
    el("p", { className: "shortcut muted", textContent: "Ctrl+Enter to generate" }),
  ]);

  let starting = false;
  let lastChoices = null;
  // "Started" is true only while its generation is on its way: it goes once that one is ready,
  // failed or stopped, so it never sits beside a card that says otherwise.
  const onGenerationChanged = (event) => {
    if (!outcome.isConnected) return document.removeEventListener("generation-changed", onGenerationChanged);
    const started = outcome.querySelector("[data-testid=generate-started]");
    const card = event.detail;
    if (started && started.dataset.id === card.id && !["waiting", "submitting", "queued", "running"].includes(card.state)) outcome.replaceChildren();
  };
  document.addEventListener("generation-changed", onGenerationChanged);
  generate.addEventListener("click", async () => {
    if (starting || generate.disabled) return;
    starting = true;
    // Not `disabled`: a focused button that is disabled drops the keyboard's place to the page.
    generate.setAttribute("aria-disabled", "true");
    const label = generate.textContent;
    generate.textContent = "Starting…";
    outcome.replaceChildren();
    try {
      const card = await studio.startGeneration(startRequestOf(compose));
      outcome.replaceChildren(el("p", { className: "generate-started", dataset: { testid: "generate-started", id: card.id }, textContent: "Started. Follow it below; the video goes to your library when it is ready." }));
      showCard(card);
    } catch (err) {
      // Everything typed stays as it was: only the words next to the button change.
      const kind = err.kind || "internal";
      outcome.replaceChildren(
        el("div", { className: "generate-refused", role: "alert", dataset: { testid: "generate-refused", kind } }, [
          el("strong", { textContent: REFUSALS[kind] ?? (kind.startsWith("first-frame") ? "The first frame could not be used" : "The video was not started") }),
          ...messageLines(err.message),
          refusedBeforeSending(kind) ? el("p", { className: "muted", textContent: "Nothing was sent, so nothing was charged." }) : null,
        ]),
      );
    } finally {
      starting = false;
      generate.removeAttribute("aria-disabled");
      generate.textContent = label;
      if (lastChoices) update(lastChoices);
    }
  });

  let quoting = 0;
  async function update(choices) {
    lastChoices = choices;
    const mine = ++quoting;
    let answer = null;
    let failure = null;
    try {
      answer = await studio.quoteGeneration(quoteRequestOf(compose));
    } catch (err) {
      failure = err;
    }
    if (mine !== quoting) return;
    if (!answer) {
      price.textContent = "—";
      line.textContent = failure?.message ?? "";
      basis.textContent = "";
      elsewhere.replaceChildren();
      warning.textContent = "";
      generate.textContent = "Generate";
      generate.disabled = true;
      return;
    }
    const { quote } = answer;
    const estimate = quote.basis.kind === "estimate";
    price.textContent = `${estimate ? "about " : ""}${formatMoney(quote.price)}`;
    line.textContent = `${PROVIDER_NAMES[quote.provider]} · ${MODEL_NAMES[quote.model]} · ${quote.resolution} · ${quote.duration} s`;
    basis.textContent = estimate ? `Estimate: ${quote.basis.why}` : quote.label;
    elsewhere.replaceChildren(
      ...answer.elsewhere
        .filter((e) => e.kind === "available" && providersWithKeys.includes(e.quote.provider))
        .map((e) =>
          el("li", {}, [
            el("span", { textContent: `Same video at ${PROVIDER_NAMES[e.quote.provider]}` }),
            el("span", {
              className: "elsewhere-price",
              textContent: `${e.quote.basis.kind === "estimate" ? "about " : ""}${formatMoney(e.quote.price)}`,
            }),
          ]),
        ),
    );
    const noKey = !providersWithKeys.includes(compose.provider);
    const frameProblem = firstFrame.problem();
    warning.textContent =
      answer.overBudget ??
      (noKey ? `Add ${withArticle(PROVIDER_NAMES[compose.provider])} key in Settings to generate here.` : (frameProblem ?? creditWarning(compose.provider, quote.price) ?? ""));
    if (!starting) generate.textContent = `Generate · ${estimate ? "about " : ""}${formatMoney(quote.price)}`;
    generate.disabled = Boolean(choices.problem || answer.overBudget || noKey || frameProblem);
  }

  return { element, update, generate };
}

/**
 * A row of buttons for one setting, a radio group: one Tab stop, the arrow keys move the choice
 * within it. Disabled ones say why on hover and to screen readers. `onPick(testid)` hears a choice.
 */
function segmented(label, key, choices, compose, name, onPick, providersWithKeys) {
  const id = `choice-${key}`;
  const buttons = choices.map((choice) => {
    const selected = compose[key] === choice.value;
    const noKey = providersWithKeys && !providersWithKeys.includes(choice.value);
    const reason = choice.reason ?? (noKey ? "No key saved for this service yet: add one in Settings." : null);
    const testid = `${key}-${choice.value}`;
    const button = el("button", {
      type: "button",
      role: "radio",
      className: "segment",
      ariaChecked: String(selected),
      textContent: name(choice.value),
      disabled: !choice.allowed && !selected,
      tabIndex: selected ? 0 : -1,
      title: reason ?? "",
      dataset: { value: String(choice.value), testid },
    });
    if (noKey && choice.allowed) button.classList.add("no-key");
    if (reason) button.setAttribute("aria-description", reason);
    button.addEventListener("click", () => {
      compose[key] = choice.value;
      onPick(testid);
    });
    return { button, choice, testid };
  });
  // Nothing chosen yet (a choice no longer offered): the first one takes the Tab stop.
  if (!buttons.some((b) => b.button.tabIndex === 0) && buttons[0]) buttons[0].button.tabIndex = 0;
  const group = el("div", { className: "setting", role: "radiogroup", ariaLabelledBy: id }, [
    el("span", { id, className: "setting-label", textContent: label }),
    el("div", { className: "segmented" }, buttons.map((b) => b.button)),
  ]);
  group.addEventListener("keydown", (event) => {
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    if (!step) return;
    event.preventDefault();
    const usable = buttons.filter((b) => !b.button.disabled);
    const at = usable.findIndex((b) => b.button === document.activeElement);
    const next = usable[(at + step + usable.length) % usable.length];
    if (!next) return;
    compose[key] = next.choice.value;
    next.button.focus();
    onPick(next.testid);
  });
  return group;
}

/** The camera-move picker: choose up to three moves, insert them at the cursor. */
function cameraPicker(onInsert) {
  const chosen = [];
  const insert = el("button", { type: "button", className: "button small", textContent: "Insert", disabled: true });
  const summary = el("span", { className: "muted picker-summary", textContent: "Pick up to 3 moves to happen together." });
  const boxes = [];

  function update() {
    insert.disabled = chosen.length === 0;
    summary.textContent = chosen.length ? `[${chosen.join(",")}]` : "Pick up to 3 moves to happen together.";
    for (const box of boxes) box.disabled = !box.checked && chosen.length >= MAX_MOVES_TOGETHER;
  }

  const groups = CAMERA_MOVE_GROUPS.map((group) =>
    el("fieldset", { className: "move-group" }, [
      el("legend", { textContent: group.name, title: group.hint }),
      ...group.moves.map((move) => {
        const box = el("input", { type: "checkbox", value: move.command });
        boxes.push(box);
        box.addEventListener("change", () => {
          if (box.checked) chosen.push(move.command);
          else chosen.splice(chosen.indexOf(move.command), 1);
          update();
        });
        // The words that go into the prompt are shown too: "Move in" inserts [Push in].
        return el("label", { className: "move" }, [
          box,
          el("span", { textContent: move.label }),
          move.label === move.command ? null : el("span", { className: "muted move-command", textContent: moveLabel(move).slice(move.label.length) }),
        ]);
      }),
    ]),
  );

  insert.addEventListener("click", () => {
    onInsert([...chosen]);
    chosen.length = 0;
    for (const box of boxes) box.checked = false;
    update();
    details.open = false;
  });

  const details = el("details", { className: "camera-picker" }, [
    el("summary", { textContent: "Add a camera move" }),
    el("div", { className: "move-groups" }, groups),
    el("div", { className: "picker-actions" }, [summary, insert]),
  ]);
  return details;
}
