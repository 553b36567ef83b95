// The first screen a new creator sees: what the app does, where to buy videos, what to do next.

import { el } from "../dom.js";

const PROVIDERS = [
  {
    name: "MiniMax",
    tagline: "The model's maker. The only place with Hailuo 2.3 Fast, the cheaper picture-to-video model.",
    price: "from $0.28 a video (Fast: from $0.19)",
    where: "minimax.io → Account → API keys",
    extra: "Mainland China accounts use MiniMax China (minimaxi.com), priced in yuan.",
  },
  {
    name: "OpenRouter",
    tagline: "One account for many AI models, paid from prepaid credit.",
    price: "$0.0817 per second of video ($0.49 for 6 s)",
    where: "openrouter.ai → Keys",
  },
  {
    name: "LinkModel",
    tagline: "A reseller with a lower price for short clips. First frames must be web links.",
    price: "from $0.224 a video",
    where: "linkmodel.ai → API keys",
  },
];

export function showWelcome(container) {
  container.replaceChildren(
    el("section", { className: "welcome", dataset: { testid: "welcome" } }, [
      el("h1", { textContent: "Make a video from a sentence" }),
      el("p", {
        className: "lead",
        textContent:
          "Hailuo Studio turns a sentence, or a picture and a sentence, into a short video made by MiniMax's Hailuo 2.3. You always see the price before you pay, and every video you pay for is kept in your library.",
      }),
      el("ol", { className: "steps" }, [
        step("1", "Pick a service", "Videos are made and billed by one of the services below. You need an account with at least one."),
        step("2", "Add its API key", "An API key is a password for programs. Hailuo Studio keeps it in your system's password store and never shows it again."),
        step("3", "Describe your video", "Write what should happen, add a starting picture if you like, check the price and press Generate."),
      ]),
      el("h2", { textContent: "Where to get a key" }),
      el(
        "div",
        { className: "provider-cards" },
        PROVIDERS.map((p) =>
          el("article", { className: "provider-card" }, [
            el("h3", { textContent: p.name }),
            el("p", { textContent: p.tagline }),
            el("p", { className: "price", textContent: p.price }),
            el("p", { className: "where" }, [el("span", { textContent: "Get a key: " }), el("code", { textContent: p.where })]),
            p.extra ? el("p", { className: "muted", textContent: p.extra }) : null,
          ]),
        ),
      ),
    ]),
  );
}

function step(number, title, text) {
  return el("li", { className: "step" }, [
    el("span", { className: "step-number", textContent: number, ariaHidden: "true" }),
    el("div", {}, [el("h3", { textContent: title }), el("p", { textContent: text })]),
  ]);
}
