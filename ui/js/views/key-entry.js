// Pasting a key: a password field with show/hide, and "save, then test" with a plain verdict.

import { el } from "../dom.js";
import { studio } from "../tauri.js";
import { readKeyTest } from "../accounts.js";

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

/** A verdict box: headline, the Rust side's sentence, coloured by tone. */
export function verdictBox(read) {
  return el("div", { className: `verdict ${read.tone}`, role: "status", dataset: { testid: "key-verdict", tone: read.tone } }, [
    el("strong", { textContent: read.headline }),
    read.detail ? el("p", { textContent: read.detail }) : null,
  ]);
}

/**
 * Saves the key in the system's password store, then tests it without spending anything.
 * With `forgetIfRejected`, a key the service refuses is removed again, so a first run never
 * ends with a key that cannot work.
 */
export async function saveAndTest(provider, key, { forgetIfRejected = false } = {}) {
  const saved = await studio.saveKey(provider, key);
  const read = readKeyTest(await studio.testKey(provider));
  if (!read.ok && forgetIfRejected) await studio.removeKey(provider);
  return { saved, read };
}
