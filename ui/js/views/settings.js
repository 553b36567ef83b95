// The Settings screen: keys per provider, where videos go, budgets, notifications, look, and
// (tucked away) other service addresses. Every change is saved at once.

import { el, showError } from "../dom.js";
import { studio } from "../tauri.js";
import { PROVIDERS, describeSavedKey, formatMoney, parseBudget, providerName, readKeyTest, rememberCredit } from "../accounts.js";
import { keyInput, servicePageButton, tryAndSave, verdictBox } from "./key-entry.js";

/**
 * Shows Settings in `container`. `status` is the app status (library folders, keyring problem);
 * `onChange(settings)` hears every saved change (the theme, for one, applies at once);
 * `onKeysChanged(provider, present)` hears a key saved or removed, so Create knows at once.
 */
export async function showSettings(container, status, { onChange, onKeysChanged } = {}) {
  const root = el("section", { className: "settings", dataset: { testid: "settings-screen" } }, [
    el("h1", { textContent: "Settings", tabIndex: -1 }),
    el("p", { className: "loading", role: "status", textContent: "Loading your settings…" }),
  ]);
  container.replaceChildren(root);

  let settings;
  let savedKeys = [];
  try {
    settings = await studio.getSettings();
    savedKeys = status.keyringProblem ? [] : await studio.listSavedKeys();
  } catch (err) {
    root.replaceChildren(el("h1", { textContent: "Settings" }), showError(err));
    return;
  }

  const saveState = el("p", { className: "save-state muted", role: "status", ariaLive: "polite", dataset: { testid: "settings-saved" } });
  const problems = el("div", { className: "settings-problem" });

  /** Saves the whole form with one change applied; shows the Rust side's words if refused,
   * next to the field (`near`) when there is one. */
  async function save(change, { near } = {}) {
    const next = structuredClone(settings);
    change(next);
    problems.replaceChildren();
    near?.replaceChildren();
    saveState.textContent = "Saving…";
    try {
      settings = await studio.updateSettings(next);
      saveState.textContent = "All changes saved.";
      onChange?.(settings);
      return true;
    } catch (err) {
      saveState.textContent = "Not saved.";
      (near ?? problems).replaceChildren(showError(err));
      return false;
    }
  }

  root.replaceChildren(
    el("header", { className: "settings-head" }, [el("h1", { textContent: "Settings", tabIndex: -1 }), saveState]),
    problems,
    keysSection(status, savedKeys, onKeysChanged),
    videosSection(settings, save),
    librarySection(settings, status, save, (next) => {
      settings = next;
      onChange?.(settings);
    }),
    budgetSection(settings, save),
    appearanceSection(settings, save),
    advancedSection(settings, save),
    helpSection(),
  );
}

function section(title, testid, children, description) {
  const id = `section-${testid}`;
  return el("section", { className: "panel settings-section", ariaLabelledBy: id, dataset: { testid } }, [
    el("h2", { id, textContent: title }),
    description ? el("p", { className: "muted", textContent: description }) : null,
    ...children,
  ]);
}

function keysSection(status, savedKeys, onKeysChanged = () => {}) {
  const rows = PROVIDERS.map((provider) => keyRow(provider, savedKeys.find((k) => k.provider === provider.id), onKeysChanged));
  return section(
    "API keys",
    "keys",
    [status.keyringProblem ? el("div", { className: "error-box", role: "alert" }, [el("p", { textContent: status.keyringProblem })]) : null, ...rows],
    "Keys are kept in your system's password store, never in a file. Hailuo Studio only ever shows how each one ends.",
  );
}

function keyRow(provider, saved, onKeysChanged) {
  const state = el("span", { className: "key-state", dataset: { testid: `key-state-${provider.id}` } });
  const actions = el("div", { className: "key-actions" });
  const panel = el("div", { className: "key-panel" });
  const row = el("div", { className: "key-provider", dataset: { testid: `key-${provider.id}` } }, [
    el("div", { className: "key-summary" }, [
      el("div", {}, [el("strong", { textContent: provider.name }), el("span", { className: "muted key-detail", textContent: ` ${provider.detail}` })]),
      state,
      actions,
    ]),
    el("div", { className: "key-links" }, [servicePageButton(provider.id, "keys"), servicePageButton(provider.id, "billing")]),
    panel,
  ]);

  function render() {
    state.textContent = describeSavedKey(saved);
    state.classList.toggle("saved", Boolean(saved));
    const button = (text, testid, onclick, primary = false) =>
      el("button", { type: "button", className: `button small${primary ? " primary" : ""}`, textContent: text, dataset: { testid: `${testid}-${provider.id}` }, onclick });
    actions.replaceChildren(
      ...(saved
        ? [button("Test", "test", test), button("Replace", "replace", edit), button("Remove", "remove", confirmRemove)]
        : [button("Add key", "add", edit, true)]),
    );
  }

  /** Closes the open form or question; focus goes back to the row's first button. */
  function closePanel() {
    panel.replaceChildren();
    actions.querySelector("button")?.focus();
  }

  async function test() {
    panel.replaceChildren(el("p", { className: "muted", role: "status", textContent: `Asking ${provider.name}… (this costs nothing)` }));
    try {
      const result = await studio.testKey(provider.id);
      const read = readKeyTest(result);
      rememberCredit(provider.id, read);
      const host = result.host ? [el("p", { className: "muted", dataset: { testid: `key-host-${provider.id}` }, textContent: `Host in use: ${result.host}` })] : [];
      panel.replaceChildren(verdictBox(read), ...host);
    } catch (err) {
      panel.replaceChildren(showError(err));
    }
  }

  function edit() {
    const { field, input } = keyInput(`key-input-${provider.id}`, saved ? `New ${provider.name} key` : `${provider.name} key`);
    const outcome = el("div");
    const submit = el("button", { type: "submit", className: "button primary small", textContent: "Test and save", dataset: { testid: `save-${provider.id}` } });
    const form = el("form", { className: "key-form" }, [
      field,
      el("div", { className: "actions" }, [el("button", { type: "button", className: "button small", textContent: "Cancel", onclick: closePanel }), submit]),
      outcome,
    ]);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      submit.disabled = true;
      outcome.replaceChildren(el("p", { className: "muted", role: "status", textContent: `Asking ${provider.name}… (this costs nothing)` }));
      try {
        const result = await tryAndSave(provider.id, input.value);
        if (!result.saved) {
          // Not kept: whatever key was saved before stays the one in use.
          const box = verdictBox(result.read);
          box.append(el("p", { dataset: { testid: "key-kept" }, textContent: saved ? `Nothing changed: your key ending in …${saved.endsWith} is still the one in use.` : "Nothing was saved." }));
          const other = result.read.suggestedProvider;
          if (other) {
            // The other region accepted it: one click saves it there instead.
            const key = input.value;
            box.append(
              el("button", {
                type: "button",
                className: "button small",
                textContent: `Save it as your ${providerName(other)} key`,
                dataset: { testid: `save-as-${other}` },
                onclick: async () => {
                  try {
                    const elsewhere = await studio.saveKey(other, key);
                    input.value = "";
                    document.dispatchEvent(new CustomEvent("key-saved", { detail: { provider: other, saved: elsewhere } }));
                    onKeysChanged(other, true);
                    panel.replaceChildren(el("p", { role: "status", dataset: { testid: "saved-elsewhere" }, textContent: `Saved as your ${providerName(other)} key (ends in …${elsewhere.endsWith}).` }));
                    actions.querySelector("button")?.focus();
                  } catch (err) {
                    outcome.replaceChildren(showError(err));
                  }
                },
              }),
            );
          }
          outcome.replaceChildren(box);
          submit.disabled = false;
          input.focus();
          return;
        }
        input.value = "";
        saved = result.saved;
        render();
        panel.replaceChildren(verdictBox(result.read));
        // The form is gone: focus goes to the new key's Test button, next to the verdict.
        actions.querySelector("button")?.focus();
        onKeysChanged(provider.id, true);
      } catch (err) {
        outcome.replaceChildren(showError(err));
        submit.disabled = false;
      }
    });
    panel.replaceChildren(form);
    input.focus();
  }

  function confirmRemove() {
    const keep = el("button", { type: "button", className: "button small", textContent: "Keep it", onclick: closePanel });
    panel.replaceChildren(
      el("div", { className: "confirm", role: "alertdialog", ariaLabel: `Remove the ${provider.name} key?` }, [
        el("p", { textContent: `Remove your ${provider.name} key from this computer? Videos already made stay in your library. You can add a key again at any time.` }),
        el("div", { className: "actions" }, [
          keep,
          el("button", {
            type: "button",
            className: "button small danger",
            textContent: "Remove key",
            dataset: { testid: `confirm-remove-${provider.id}` },
            onclick: async () => {
              try {
                await studio.removeKey(provider.id);
                saved = undefined;
                render();
                actions.querySelector("button")?.focus();
                onKeysChanged(provider.id, false);
                panel.replaceChildren(el("p", { className: "muted", role: "status", textContent: `The ${provider.name} key was removed.` }));
              } catch (err) {
                panel.replaceChildren(showError(err));
              }
            },
          }),
        ]),
      ]),
    );
    keep.focus();
  }

  // A key saved for this provider from another row (the other MiniMax region's).
  const onSavedElsewhere = (event) => {
    if (!row.isConnected) return document.removeEventListener("key-saved", onSavedElsewhere);
    if (event.detail.provider !== provider.id) return;
    saved = event.detail.saved;
    render();
  };
  document.addEventListener("key-saved", onSavedElsewhere);

  render();
  return row;
}

function videosSection(settings, save) {
  const select = el(
    "select",
    { id: "default-provider", className: "text-input", dataset: { testid: "default-provider" } },
    [
      el("option", { value: "", textContent: "Ask me each time" }),
      el("option", { value: "minimax", textContent: "MiniMax" }),
      el("option", { value: "openrouter", textContent: "OpenRouter" }),
      el("option", { value: "linkmodel", textContent: "LinkModel" }),
    ],
  );
  const current = settings.defaultProvider ?? "";
  select.value = current.startsWith("minimax") ? "minimax" : current;
  select.addEventListener("change", () =>
    save((s) => {
      s.defaultProvider = select.value === "" ? null : select.value === "minimax" ? (s.minimaxRegion === "china" ? "minimax-china" : "minimax-global") : select.value;
    }),
  );

  const region = radioGroup("minimax-region", "MiniMax region", [
    ["global", "Global (minimax.io), US dollars"],
    ["china", "Mainland China (minimaxi.com), yuan"],
  ], settings.minimaxRegion, (value) =>
    save((s) => {
      s.minimaxRegion = value;
      if (s.defaultProvider?.startsWith("minimax")) s.defaultProvider = value === "china" ? "minimax-china" : "minimax-global";
    }),
  );

  return section("Making videos", "videos", [
    labelled("default-provider", "Start new videos with", select),
    region,
    el("p", { className: "muted hint", textContent: "MiniMax keys only work in the region they were made in. Hailuo 2.3 Fast is only sold by MiniMax." }),
  ]);
}

function librarySection(settings, status, save, onChosen) {
  const path = el("code", { className: "library-path", dataset: { testid: "library-path" }, textContent: settings.libraryDir ?? status.defaultLibraryDir });
  const outcome = el("div");
  // The library opened at start stays in use until the next start (the app follows only the
  // open library's generations): say so, and offer the restart.
  const pending = el("div", { className: "library-pending", dataset: { testid: "library-pending" } });
  const showPending = (chosen) => {
    if (chosen === status.libraryDir) return pending.replaceChildren();
    pending.replaceChildren(
      el("p", { className: "hint", textContent: `Hailuo Studio moves to this folder when it next starts, once no video is still being made. Until then, new videos are still saved in ${status.libraryDir}. Videos already made stay where they are.` }),
      el("button", { type: "button", className: "button small", textContent: "Restart now", dataset: { testid: "restart-app" }, onclick: () => studio.restartApp().catch((err) => outcome.replaceChildren(showError(err))) }),
    );
  };
  const choose = el("button", {
    type: "button",
    className: "button",
    textContent: "Choose…",
    dataset: { testid: "choose-library" },
    onclick: async () => {
      outcome.replaceChildren();
      try {
        const next = await studio.chooseLibraryFolder();
        if (next) {
          path.textContent = next.libraryDir;
          showPending(next.libraryDir);
          onChosen(next);
          reset.hidden = false;
        }
      } catch (err) {
        outcome.replaceChildren(showError(err));
      }
    },
  });
  const reset = el("button", {
    type: "button",
    className: "button",
    textContent: "Use the default folder",
    hidden: !settings.libraryDir,
    onclick: async () => {
      if (await save((s) => (s.libraryDir = null))) {
        path.textContent = status.defaultLibraryDir;
        showPending(status.defaultLibraryDir);
        reset.hidden = true;
      }
    },
  });
  showPending(settings.libraryDir ?? status.defaultLibraryDir);
  return section("Library", "library", [
    el("p", { className: "muted", textContent: "Every video you pay for is saved here, with its prompt and price." }),
    el("div", { className: "library-row" }, [path, choose, reset]),
    pending,
    outcome,
  ]);
}

function budgetSection(settings, save) {
  const field = (currency, label) => {
    const id = `budget-${currency}`;
    const input = el("input", {
      id,
      className: "text-input budget-input",
      inputMode: "decimal",
      placeholder: "No limit",
      value: settings.monthlyBudgets?.[currency] ?? "",
      dataset: { testid: id },
    });
    const note = el("p", { className: "field-note", id: `${id}-note`, ariaLive: "polite" });
    input.setAttribute("aria-describedby", note.id);
    input.addEventListener("change", async () => {
      let amount;
      try {
        amount = parseBudget(input.value);
      } catch (err) {
        note.textContent = err.message;
        input.setAttribute("aria-invalid", "true");
        return;
      }
      input.removeAttribute("aria-invalid");
      const ok = await save((s) => {
        s.monthlyBudgets = { ...s.monthlyBudgets };
        if (amount === null) delete s.monthlyBudgets[currency];
        else s.monthlyBudgets[currency] = amount;
      });
      note.textContent = ok ? (amount === null ? "No limit." : `Up to ${formatMoney({ amount, currency })} a month.`) : "";
    });
    return el("div", { className: "budget" }, [labelled(id, label, input), note]);
  };
  return section(
    "Monthly budget",
    "budget",
    [el("div", { className: "budget-row" }, [field("USD", "US dollars (MiniMax, OpenRouter, LinkModel)"), field("CNY", "Yuan (MiniMax China)")])],
    "Hailuo Studio warns you before a video would take you over this amount in a calendar month. Leave empty for no limit.",
  );
}

function appearanceSection(settings, save) {
  const notify = el("input", { type: "checkbox", id: "notifications", checked: settings.notifications, dataset: { testid: "notifications" } });
  notify.addEventListener("change", () => save((s) => (s.notifications = notify.checked)));
  return section("Notifications and look", "appearance", [
    el("div", { className: "toggle-row" }, [
      notify,
      el("label", { htmlFor: "notifications" }, [
        el("strong", { textContent: "Tell me when a video is ready" }),
        el("span", { className: "muted", textContent: " A desktop notification when a video finishes or fails, even if the window is in the background." }),
      ]),
    ]),
    radioGroup("theme", "Theme", [
      ["system", "Like my system"],
      ["light", "Light"],
      ["dark", "Dark"],
    ], settings.theme, (value) => save((s) => (s.theme = value))),
  ]);
}

function advancedSection(settings, save) {
  const rows = PROVIDERS.map((provider) => {
    const id = `base-url-${provider.id}`;
    const input = el("input", {
      id,
      type: "url",
      className: "text-input",
      placeholder: provider.defaultUrl,
      value: settings.baseUrlOverrides?.[provider.id] ?? "",
      spellcheck: false,
      dataset: { testid: id },
    });
    const note = el("div", { className: "field-problem" });
    input.addEventListener("change", async () => {
      const ok = await save(
        (s) => {
          s.baseUrlOverrides = { ...s.baseUrlOverrides, [provider.id]: input.value.trim() };
          if (!input.value.trim()) delete s.baseUrlOverrides[provider.id];
        },
        { near: note },
      );
      if (ok) input.removeAttribute("aria-invalid");
      else input.setAttribute("aria-invalid", "true");
    });
    return el("div", {}, [labelled(id, providerName(provider.id), input), note]);
  });
  return el("details", { className: "panel settings-section advanced", dataset: { testid: "advanced" } }, [
    el("summary", { textContent: "Advanced: service addresses" }),
    el("p", { className: "muted", textContent: "Only change these if you use a proxy or a company gateway. Leave empty for the service's own address." }),
    ...rows,
  ]);
}

/** "Copy diagnostics": the text a supporter needs, on the clipboard; keys never leave the app. */
function helpSection() {
  const state = el("p", { className: "muted", role: "status", ariaLive: "polite", dataset: { testid: "diagnostics-state" } });
  const fallback = el("div", { className: "diagnostics-fallback" });
  const copy = el("button", {
    type: "button",
    className: "button",
    textContent: "Copy diagnostics",
    dataset: { testid: "copy-diagnostics" },
    onclick: async () => {
      copy.disabled = true;
      state.textContent = "Gathering…";
      fallback.replaceChildren();
      // Asked for at once, and handed to the clipboard while the click still counts: WebKit
      // only lets a page write the clipboard during the creator's own gesture.
      const report = studio.copyDiagnostics();
      try {
        try {
          await writeClipboard(report);
          state.textContent = "Copied. Paste it into your message to support.";
        } catch {
          // No clipboard access: show the text selected, ready for Ctrl+C.
          const text = await report;
          const box = el("textarea", { className: "text-input diagnostics-text", readOnly: true, rows: 10, value: text, ariaLabel: "Diagnostics", dataset: { testid: "diagnostics-text" } });
          fallback.replaceChildren(box);
          box.focus();
          box.select();
          state.textContent = "Selected below: press Ctrl+C (⌘C on a Mac) to copy it.";
        }
      } catch (err) {
        state.textContent = "";
        fallback.replaceChildren(showError(err));
      } finally {
        copy.disabled = false;
      }
    },
  });
  return section(
    "Help",
    "help",
    [el("div", { className: "actions start" }, [copy]), state, fallback],
    "If something goes wrong, copy these details into your message to support: the app's version, your system, your settings, which services have a key (never the keys themselves) and the app's recent log.",
  );
}

/** Puts the text `pending` will give on the clipboard; rejects when the clipboard is refused. */
async function writeClipboard(pending) {
  if (window.ClipboardItem && navigator.clipboard?.write) {
    const blob = pending.then((text) => new Blob([text], { type: "text/plain" }));
    return navigator.clipboard.write([new ClipboardItem({ "text/plain": blob })]);
  }
  return navigator.clipboard.writeText(await pending);
}

function labelled(id, label, control) {
  return el("div", { className: "setting-row" }, [el("label", { htmlFor: id, className: "setting-label", textContent: label }), control]);
}

function radioGroup(name, label, options, current, onPick) {
  return el("fieldset", { className: "setting-row radio-group", dataset: { testid: name } }, [
    el("legend", { className: "setting-label", textContent: label }),
    el(
      "div",
      { className: "radio-options" },
      options.map(([value, text]) => {
        const id = `${name}-${value}`;
        const input = el("input", { type: "radio", name, id, value, checked: value === current });
        input.addEventListener("change", () => input.checked && onPick(value));
        return el("div", { className: "radio-row" }, [input, el("label", { htmlFor: id, textContent: text })]);
      }),
    ),
  ]);
}
