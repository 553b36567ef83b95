// What a creator needs to know about each service, and how a key test result reads.
// Plain data and functions (no DOM, no Tauri), so they can be tested with node.

/** The services, in the order they are offered. MiniMax's two regions share one card. */
export const SERVICES = [
  {
    id: "minimax",
    name: "MiniMax",
    tagline: "The model's maker. The only place with Hailuo 2.3 Fast, the cheaper picture-to-video model.",
    price: "from $0.28 a video (Fast: from $0.19)",
    where: "minimax.io → Account → API keys",
    extra: "Mainland China accounts use MiniMax China (minimaxi.com), priced in yuan: from ¥2.00 a video.",
  },
  {
    id: "openrouter",
    name: "OpenRouter",
    tagline: "One account for many AI models, paid from prepaid credit.",
    price: "$0.0817 per second of video ($0.49 for 6 s)",
    where: "openrouter.ai → Keys",
  },
  {
    id: "linkmodel",
    name: "LinkModel",
    tagline: "A reseller with a lower price for short clips. First frames must be web links.",
    price: "from $0.224 a video",
    where: "linkmodel.ai → API keys",
  },
];

/** Every provider that holds a key, as the Rust side names them. */
export const PROVIDERS = [
  { id: "minimax-global", name: "MiniMax", detail: "Global · minimax.io · US dollars", defaultUrl: "https://api.minimax.io" },
  { id: "minimax-china", name: "MiniMax China", detail: "Mainland China · minimaxi.com · yuan", defaultUrl: "https://api.minimaxi.com" },
  { id: "openrouter", name: "OpenRouter", detail: "openrouter.ai · US dollars", defaultUrl: "https://openrouter.ai/api/v1" },
  { id: "linkmodel", name: "LinkModel", detail: "linkmodel.ai · US dollars", defaultUrl: "https://api.linkmodel.ai/api/v1" },
];

export function providerName(id) {
  return PROVIDERS.find((p) => p.id === id)?.name ?? id;
}

/** The provider a service card stands for, given the MiniMax region chosen. */
export function providerOfService(serviceId, region) {
  if (serviceId === "minimax") return region === "china" ? "minimax-china" : "minimax-global";
  return serviceId;
}

/** The service card a provider belongs to. */
export function serviceOfProvider(providerId) {
  return providerId.startsWith("minimax") ? "minimax" : providerId;
}

/** How a saved key is shown: never more than its last characters. */
export function describeSavedKey(saved) {
  return saved ? `Saved, ends in …${saved.endsWith}` : "No key saved";
}

/**
 * A key test result as a creator reads it: a short headline, the Rust side's own sentence, and
 * a tone for styling. `ok` says whether the key may be kept.
 */
export function readKeyTest(result) {
  const credit = result.creditLeft ? formatMoney(result.creditLeft) : null;
  switch (result.verdict) {
    case "works":
      return { tone: "ok", ok: true, headline: "Works", detail: result.message };
    case "works-with-credit":
      return { tone: "ok", ok: true, headline: credit ? `Works · ${credit} credit left` : "Works", detail: result.message };
    case "no-credit":
      return { tone: "warn", ok: true, headline: "Works, but no credit left", detail: result.message };
    case "rejected":
      return { tone: "danger", ok: false, headline: "Rejected", detail: result.message };
    case "other-region":
      return {
        tone: "warn",
        ok: false,
        headline: `This key belongs to ${providerName(result.suggestedProvider)}`,
        detail: result.message,
        suggestedProvider: result.suggestedProvider,
      };
    case "cannot-reach":
      return { tone: "warn", ok: true, headline: "Could not check right now", detail: result.message };
    default:
      return { tone: "warn", ok: true, headline: "Could not tell", detail: result.message };
  }
}

/** `{amount: "12.5", currency: "USD"}` → `$12.50`. */
export function formatMoney(money) {
  const symbol = money.currency === "CNY" ? "¥" : "$";
  const n = Number(money.amount);
  return Number.isFinite(n) ? `${symbol}${n.toFixed(2)}` : `${money.amount} ${money.currency}`;
}

/**
 * A budget field's text as the Rust side stores it: a plain decimal string, or null for "no
 * limit". Throws a plain sentence when the text is not an amount.
 */
export function parseBudget(text) {
  const cleaned = text.trim().replace(/^[$¥]/, "").replace(/,/g, "").trim();
  if (cleaned === "") return null;
  if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) {
    throw new Error(`"${text.trim()}" is not an amount. Write it like 20 or 12.50, or leave it empty for no limit.`);
  }
  return cleaned;
}
