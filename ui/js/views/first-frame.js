// The first-frame area of Create: drop, pick, paste or link a picture, see how it fares against the
// services' rules, accept fixes, remove or replace it.

import { el } from "../dom.js";
import { studio } from "../tauri.js";
import { PROVIDER_NAMES } from "../names.js";
import {
  firstFrameProblem,
  linkFrame,
  offersFor,
  pictureFacts,
  pictureFrame,
  providerRefusal,
  shownPreview,
  unmendedRules,
  withFix,
} from "../first-frame.js";

const RULE_HEADINGS = {
  "file-size": "Too heavy",
  "short-side": "Too small",
  shape: "Shape not allowed",
};

/**
 * The first-frame area. `compose.firstFrame` holds the frame (see first-frame.js); `onChange()`
 * runs after every change so the choices and the price follow.
 */
export function firstFrameArea(compose, onChange) {
  const element = el("div", { className: "first-frame", dataset: { testid: "first-frame" } });
  let busy = null; // words while a picture is being checked
  let failure = null; // the last picture that could not be used, and why
  let linkOpen = false;
  let checking = 0;

  function set(frame) {
    compose.firstFrame = frame;
    failure = null;
    render();
    onChange();
  }

  /** Checks a picture (`inspect` answers `{path, ...report}`, or null when the creator cancelled). */
  async function take(what, inspect) {
    const mine = ++checking;
    busy = what;
    failure = null;
    render();
    onChange(); // Generate waits while the picture is checked
    try {
      const inspected = await inspect();
      if (mine !== checking) return;
      busy = null;
      if (inspected) set(pictureFrame(inspected));
      else {
        render();
        onChange();
      }
    } catch (err) {
      if (mine !== checking) return;
      busy = null;
      failure = err.message;
      render();
      onChange();
    }
  }

  const api = {
    element,
    render,
    /** Files dropped from the OS: the first picture is taken. */
    takeDropped(paths) {
      if (!paths.length) return;
      take("Checking the dropped picture…", () => studio.inspectFirstFrame(paths[0]));
    },
    /** A pasted picture (a `File` from the clipboard). */
    takePasted(file) {
      take("Checking the pasted picture…", async () => studio.inspectPastedFirstFrame(new Uint8Array(await file.arrayBuffer())));
    },
    pick() {
      take("Choose a picture in the window that opened…", () => studio.pickFirstFrame());
    },
    /** A path on this computer, such as a finished generation's kept first frame. */
    takePath(path) {
      return take("Checking the picture…", () => studio.inspectFirstFrame(path));
    },
    setDragging(on) {
      element.classList.toggle("dragging", on);
    },
    /** Why Generate must wait for the first frame, or null. */
    problem: () => (busy ? "Wait a moment: the picture is being checked." : firstFrameProblem(compose.firstFrame)),
  };

  function render() {
    const frame = compose.firstFrame;
    const head = el("div", { className: "field-head" }, [
      el("span", { className: "field-label", textContent: "First frame" }),
      el("span", { className: "muted optional", textContent: frame ? "" : "optional" }),
    ]);
    let body;
    if (busy) body = el("p", { className: "first-frame-busy", role: "status", textContent: busy });
    else if (frame?.kind === "file") body = pictureView(frame);
    else if (frame?.kind === "link") body = linkView(frame);
    else body = dropZone();
    const failed = failure ? el("p", { className: "first-frame-failure", role: "alert", dataset: { testid: "first-frame-failure" }, textContent: failure }) : [];
    // Drawn again after a choice (a fix, a link): the control that had focus keeps it.
    const focused = element.contains(document.activeElement) ? document.activeElement : null;
    const again = focused && (focused.dataset.testid ? `[data-testid="${CSS.escape(focused.dataset.testid)}"]` : focused.id ? `#${CSS.escape(focused.id)}` : null);
    element.replaceChildren(head, body, ...[failed].flat());
    if (again) element.querySelector(again)?.focus({ preventScroll: true });
  }

  function dropZone() {
    const choose = el("button", { type: "button", className: "button small", textContent: "Choose a picture…", dataset: { testid: "pick-first-frame" }, onclick: () => api.pick() });
    const linkOnly = compose.provider === "linkmodel";
    return el("div", { className: "drop-zone", dataset: { testid: "drop-zone" } }, [
      el("p", { className: "drop-lead" }, [
        el("strong", { textContent: "Start the video from a picture" }),
        el("span", { className: "muted", textContent: " — drop it here, paste it with Ctrl+V, or " }),
        choose,
      ]),
      el("p", { className: "muted drop-hint", textContent: "JPG, PNG or WebP work best. The video takes the picture's shape." }),
      linkOnly || linkOpen ? linkForm(linkOnly) : el("button", { type: "button", className: "link-button", textContent: "Use a link to a picture on the web instead", onclick: () => { linkOpen = true; render(); } }),
    ]);
  }

  function linkForm(linkOnly) {
    const input = el("input", { type: "url", className: "text-input link-input", placeholder: "https://example.com/picture.jpg", ariaLabel: "Link to a picture", dataset: { testid: "first-frame-link" } });
    const problem = el("p", { className: "field-note", role: "status" });
    const use = () => {
      const { frame, problem: why } = linkFrame(input.value);
      if (frame) set(frame);
      else problem.textContent = why;
    };
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        use();
      }
    });
    return el("div", { className: "link-form" }, [
      el("p", {
        className: linkOnly ? "link-why" : "muted link-why",
        textContent: linkOnly
          ? "LinkModel takes a first frame only as a link: it has no way to receive a picture from your computer. Put the picture online and paste its https:// link, or switch to MiniMax or OpenRouter to use a picture file."
          : "The service fetches the picture from the link itself. LinkModel takes first frames only this way.",
      }),
      el("div", { className: "key-row" }, [input, el("button", { type: "button", className: "button small", textContent: "Use link", onclick: use })]),
      problem,
    ]);
  }

  function pictureView(frame) {
    const { report } = frame;
    const shown = shownPreview(frame);
    const refusal = providerRefusal(frame, compose.provider);
    const name = frame.path.split(/[\\/]/).pop();
    return el("div", { className: "picture", dataset: { testid: "first-frame-picture" } }, [
      el("figure", { className: "picture-preview" }, [
        el("img", { src: shown.preview, alt: "The first frame", width: shown.width, height: shown.height }),
      ]),
      el("div", { className: "picture-facts" }, [
        el("p", { className: "picture-name", title: frame.path, textContent: name.startsWith("pasted-") ? "Pasted picture" : name }),
        el("p", { className: "muted", dataset: { testid: "first-frame-size" }, textContent: pictureFacts(report) }),
        el("p", { className: "shape-sentence", textContent: report.shapeSentence }),
        report.turnedUpright ? el("p", { className: "muted", textContent: "The camera stored this photo sideways; it is turned upright." }) : null,
        el(
          "ul",
          { className: "rules", ariaLabel: "How the picture meets the services' rules" },
          report.rules.map((check) => {
            const mended = !check.passed && !unmendedRules(frame).some((u) => u.rule === check.rule);
            const state = check.passed ? "ok" : mended ? "mended" : "broken";
            return el("li", { className: `rule ${state}`, dataset: { rule: check.rule } }, [
              el("span", { className: "rule-mark", ariaHidden: "true", textContent: state === "broken" ? "!" : "✓" }),
              el("span", { textContent: mended ? `${check.verdict} Fixed as you chose.` : check.verdict }),
            ]);
          }),
        ),
        refusal ? el("p", { className: "first-frame-refusal", role: "status", textContent: refusal }) : null,
        el("div", { className: "picture-actions" }, [
          el("button", { type: "button", className: "button small", textContent: "Replace…", onclick: () => api.pick() }),
          el("button", { type: "button", className: "button small", textContent: "Remove", dataset: { testid: "remove-first-frame" }, onclick: () => set(null) }),
        ]),
      ]),
      fixOffers(frame),
    ]);
  }

  /** Each broken rule with the fixes on offer; the creator accepts one per rule, or none. */
  function fixOffers(frame) {
    const broken = frame.report.rules.filter((check) => !check.passed);
    if (!broken.length) return null;
    return el(
      "div",
      { className: "fixes", dataset: { testid: "fixes" } },
      broken.map((check) => {
        const offers = offersFor(frame.report, check.rule);
        return el("fieldset", { className: "fix-group" }, [
          el("legend", {
            textContent: `${RULE_HEADINGS[check.rule] ?? "Needs a change"}: ${offers.some((o) => frame.fixes.includes(o.fix)) ? "fixed as you chose" : "choose a fix"}`,
          }),
          ...(offers.length
            ? offers.map((offer) => fixOffer(frame, offer))
            : [el("p", { className: "muted", textContent: "No fix can mend this. Choose another picture." })]),
        ]);
      }),
    );
  }

  function fixOffer(frame, offer) {
    const accepted = frame.fixes.includes(offer.fix);
    return el("div", { className: `fix-offer${accepted ? " accepted" : ""}` }, [
      el("img", { src: offer.preview, alt: `${offer.title}: preview`, width: offer.width, height: offer.height }),
      el("div", { className: "fix-words" }, [
        el("strong", { textContent: offer.title }),
        el("p", { className: "muted", textContent: offer.explanation }),
        offer.warning ? el("p", { className: "fix-warning", textContent: offer.warning }) : null,
        el("button", {
          type: "button",
          className: accepted ? "button small primary" : "button small",
          ariaPressed: String(accepted),
          dataset: { testid: `fix-${offer.fix}` },
          textContent: accepted ? "✓ Using this" : "Use this",
          onclick: () => set(withFix(frame, offer.fix, !accepted)),
        }),
      ]),
    ]);
  }

  function linkView(frame) {
    return el("div", { className: "picture link", dataset: { testid: "first-frame-link-chosen" } }, [
      el("div", { className: "picture-facts" }, [
        el("p", { className: "picture-name", textContent: "A picture on the web" }),
        el("p", { className: "link-url", textContent: frame.url }),
        el("p", {
          className: "muted",
          textContent: `${PROVIDER_NAMES[compose.provider] ?? "The service"} fetches it when the video starts, so the app cannot check it first: it must be a JPG, PNG or WebP, with its short side over 300 px, no more than 2.5 times wider than tall (or taller than wide).`,
        }),
        el("div", { className: "picture-actions" }, [
          el("button", { type: "button", className: "button small", textContent: "Remove", dataset: { testid: "remove-first-frame" }, onclick: () => set(null) }),
        ]),
      ]),
    ]);
  }

  render();
  return api;
}
