// Pasting a key: a password field with show/hide, and "save, then test" with a plain verdict.

import { el } from "../dom.js";
import { studio } from "../tauri.js";
import { providerName, readKeyTest, rememberCredit } from "../accounts.js";

/** A labelled password field with a Show/Hide button. The value never leaves this field except
 * through `studio.saveKey`. */
export function keyInput(id, label) {
  const input = el("input", {
    id,
    type: "password",
    className: "text-input key-input",
    autocomplete: "off",
    spellcheck: false,
    placeholder: "Paste your API key",
    dataset: { testid: `${id}-input` },
  });
  input.setAttribute("autocapitalize", "off");
  const toggle = el("button", {
    type: "button",
    className: "button small",
    textContent: "Show",
    ariaControls: id,
    ariaPressed: "false",
    dataset: { testid: `${id}-show` },
    onclick: () => {
      const showing = input.type === "text";
      input.type = showing ? "password" : "text";
      toggle.textContent = showing ? "Show" : "Hide";
      toggle.setAttribute("aria-pressed", String(!showing));
      input.focus();
    },
  });
  const field = el("div", { className: "key-field" }, [
    el("label", { htmlFor: id, className: "field-label", textContent: label }),
    el("div", { className: "key-row" }, [input, toggle]),
  ]);
  return { field, input };
}

/** A verdict box: headline, the Rust side's sentence, the service's own words under a closed
 * "Details", coloured by tone; with a top-up button when the account needs credit. */
export function verdictBox(read) {
  return el("div", { className: `verdict ${read.tone}`, role: "status", dataset: { testid: "key-verdict", tone: read.tone } }, [
    el("strong", { textContent: read.headline }),
    read.detail ? el("p", { textContent: read.detail }) : null,
    read.topUp && read.provider ? servicePageButton(read.provider, "billing") : null,
    detailsBox(read.details),
  ]);
}

/** The service's own words and codes, closed until the creator asks. */
export function detailsBox(details) {
  if (!details) return null;
  return el("details", { className: "details", dataset: { testid: "details" } }, [el("summary", { textContent: "Details" }), el("p", { className: "muted", textContent: details })]);
}

const PAGE_WORDS = { keys: (name) => `Get a key on ${name}'s website`, billing: (name) => `Top up on ${name}'s website` };

/**
 * A button that opens the service's key page or billing page in the system browser. The Rust
 * side holds the addresses; the page only names which one.
 */
export function servicePageButton(provider, page, { primary = false } = {}) {
  const problem = el("span", { className: "field-note", role: "status" });
  const button = el("button", {
    type: "button",
    className: `button small link-out${primary ? " primary" : ""}`,
    textContent: PAGE_WORDS[page](providerName(provider)),
    dataset: { testid: `open-${page}-${provider}` },
    onclick: async () => {
      problem.textContent = "";
      try {
        await studio.openServicePage(provider, page);
      } catch (err) {
        problem.textContent = err.message;
      }
    },
  });
  return el("span", { className: "service-link" }, [button, problem]);
}

/**
 * Tests a pasted key without saving it, then saves it only if it may be kept: a mistyped key
 * never replaces one that works, and a first run never ends with a key that cannot work.
 * Answers `{saved, read}`; `saved` is null when the key was not kept.
 */
export async function tryAndSave(provider, key) {
  const read = readKeyTest(await studio.tryKey(provider, key));
  rememberCredit(provider, read);
  if (!read.ok) return { saved: null, read };
  const saved = await studio.saveKey(provider, key);
  return { saved, read };
}
