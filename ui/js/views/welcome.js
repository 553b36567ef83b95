// The first run: what the app does, which service to use, paste a key, test it, done.

import { el, showError } from "../dom.js";
import { SERVICES, SERVICE_ADVICE, providerName, providerOfService } from "../accounts.js";
import { keyInput, servicePageButton, tryAndSave, verdictBox } from "./key-entry.js";

/**
 * Shows the onboarding path inside `container`. `onDone` is called once a key is saved and
 * works (or could not be checked), to open the studio.
 */
export function showWelcome(container, status, { onDone } = {}) {
  const root = el("section", { className: "welcome", dataset: { testid: "welcome" } });
  container.replaceChildren(root);
  const show = (...children) => {
    root.replaceChildren(...children.filter(Boolean));
    root.querySelector("h1")?.focus();
  };

  function intro() {
    show(
      el("h1", { textContent: "Make a video from a sentence", tabIndex: -1 }),
      el("p", {
        className: "lead",
        textContent:
          "Hailuo Studio turns a sentence, or a picture and a sentence, into a short video made by MiniMax's Hailuo 2.3. You always see the price before you pay, and every video you pay for is kept in your library.",
      }),
      status.keyringProblem ? keyringBox(status.keyringProblem) : null,
      el("ol", { className: "steps" }, [
        step("1", "Pick a service", "Videos are made and billed by one of the services below. You need an account with at least one."),
        step("2", "Add its API key", "An API key is a password for programs. Hailuo Studio keeps it in your system's password store and never shows it again."),
        step("3", "Describe your video", "Write what should happen, add a starting picture if you like, check the price and press Generate."),
      ]),
      el("h2", { textContent: "Choose where to buy your videos" }),
      el("p", { className: "advice", dataset: { testid: "service-advice" }, textContent: SERVICE_ADVICE }),
      el(
        "div",
        { className: "provider-cards" },
        SERVICES.map((s) =>
          el("article", { className: "provider-card", dataset: { testid: `service-${s.id}` } }, [
            el("h3", { textContent: s.name }),
            el("p", { textContent: s.tagline }),
            el("p", { className: "price", dataset: { testid: `price-${s.id}` }, textContent: s.sixSeconds }),
            s.extra ? el("p", { className: "muted", textContent: s.extra }) : null,
            el("button", {
              type: "button",
              className: "button primary",
              textContent: `Use ${s.name}`,
              dataset: { testid: `choose-${s.id}` },
              onclick: () => pasteKey(s),
            }),
          ]),
        ),
      ),
      el("p", { className: "muted small-print", textContent: "You can add keys for the other services later in Settings." }),
    );
  }

  function pasteKey(service, region = "global") {
    const { field, input } = keyInput("onboarding-key", `Your ${service.name} API key`);
    const outcome = el("div", { className: "outcome" });
    const test = el("button", { type: "submit", className: "button primary", textContent: "Test and save", dataset: { testid: "test-key" } });
    const regionPicker =
      service.id === "minimax"
        ? el("fieldset", { className: "region" }, [
            el("legend", { textContent: "Where is your MiniMax account?" }),
            regionOption("global", "Global (minimax.io), billed in US dollars", region),
            regionOption("china", "Mainland China (minimaxi.com), billed in yuan", region),
          ])
        : null;

    const form = el("form", { className: "panel key-step", dataset: { testid: "key-step" } }, [
      el("h1", { textContent: `Add your ${service.name} key`, tabIndex: -1 }),
      el("ol", { className: "how-to" }, [
        el("li", {}, [
          el("span", { textContent: "Sign in on the service's website and create a key (" }),
          el("code", { textContent: service.where }),
          el("span", { textContent: ")." }),
          " ",
          servicePageButton(providerOfService(service.id, region), "keys"),
        ]),
        el("li", { textContent: "Copy it and paste it below." }),
        el("li", { textContent: "Press Test and save: Hailuo Studio asks the service whether the key works. This costs nothing." }),
      ]),
      regionPicker,
      field,
      outcome,
      el("div", { className: "actions" }, [
        el("button", { type: "button", className: "button", textContent: "Back", onclick: intro }),
        test,
      ]),
    ]);

    let testing = false;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (testing) return;
      testing = true;
      const chosenRegion = form.querySelector("input[name=region]:checked")?.value ?? "global";
      const provider = providerOfService(service.id, chosenRegion);
      // Not `disabled`: a focused button that is disabled drops the keyboard's place to the page.
      test.setAttribute("aria-disabled", "true");
      test.textContent = "Testing…";
      outcome.replaceChildren(el("p", { className: "muted", role: "status", textContent: `Asking ${providerName(provider)}…` }));
      try {
        const { saved, read } = await tryAndSave(provider, input.value);
        if (read.ok) {
          input.value = "";
          done(provider, saved, read);
          return;
        }
        const box = verdictBox(read);
        if (read.suggestedProvider) {
          const otherRegion = read.suggestedProvider === "minimax-china" ? "china" : "global";
          box.append(
            el("button", {
              type: "button",
              className: "button",
              textContent: `Use it as ${providerName(read.suggestedProvider)}`,
              dataset: { testid: "use-other-region" },
              onclick: () => {
                form.querySelector(`input[name=region][value=${otherRegion}]`).checked = true;
                form.requestSubmit();
              },
            }),
          );
        }
        outcome.replaceChildren(box);
        input.focus();
      } catch (err) {
        outcome.replaceChildren(showError(err));
      } finally {
        testing = false;
        test.removeAttribute("aria-disabled");
        test.textContent = "Test and save";
      }
    });
    show(form);
    input.focus();
  }

  function done(provider, saved, read) {
    show(
      el("section", { className: "panel key-step", dataset: { testid: "onboarding-done" } }, [
        el("h1", { textContent: "You're ready", tabIndex: -1 }),
        verdictBox(read),
        el("p", { textContent: `Your ${providerName(provider)} key is saved in your system's password store (ends in …${saved.endsWith}). Hailuo Studio will never show it again.` }),
        el("div", { className: "actions" }, [
          el("button", { type: "button", className: "button primary", textContent: "Start creating", dataset: { testid: "onboarding-finish" }, onclick: () => onDone?.(provider) }),
        ]),
      ]),
    );
    root.querySelector("[data-testid=onboarding-finish]")?.focus();
  }

  intro();
}

function regionOption(value, label, current) {
  const id = `region-${value}`;
  return el("div", { className: "radio-row" }, [
    el("input", { type: "radio", name: "region", id, value, checked: value === current }),
    el("label", { htmlFor: id, textContent: label }),
  ]);
}

function keyringBox(problem) {
  return el("div", { className: "error-box", role: "alert", dataset: { testid: "keyring-problem" } }, [
    el("strong", { textContent: "Your system's password store is not available" }),
    el("p", { textContent: problem }),
  ]);
}

function step(number, title, text) {
  return el("li", { className: "step" }, [
    el("span", { className: "step-number", textContent: number, ariaHidden: "true" }),
    el("div", {}, [el("p", { className: "step-title" }, [el("strong", { textContent: title })]), el("p", { textContent: text })]),
  ]);
}
