// What a creator needs to know about each service, and how a key test result reads.
// Plain data and functions (no DOM, no Tauri), so they can be tested with node.

/**
 * The services, in the order they are offered. MiniMax's two regions share one card. `sixSeconds`
 * is one comparable price: a 6 s video at the service's usual resolution (providers.md, Prices).
 */
export const SERVICES = [
  {
    id: "minimax",
    name: "MiniMax",
    tagline: "The model's maker. The only place with Hailuo 2.3 Fast, the cheaper picture-to-video model.",
    sixSeconds: "$0.28 for a 6 s video (768P); Fast: $0.19",
    where: "minimax.io → Account → API keys",
    extra: "Mainland China accounts use MiniMax China (minimaxi.com), priced in yuan: ¥2.00 for a 6 s video.",
  },
  {
    id: "openrouter",
    name: "OpenRouter",
    tagline: "One account for many AI models, paid from prepaid credit.",
    sixSeconds: "$0.49 for a 6 s video (1080P only)",
    where: "openrouter.ai → Keys",
  },
  {
    id: "linkmodel",
    name: "LinkModel",
    tagline: "A reseller with a lower price for short clips. First frames must be web links.",
    sixSeconds: "$0.22 for a 6 s video (768P)",
    where: "linkmodel.ai → API keys",
  },
];

/** One line of advice for a creator who does not know which service to pick. */
export const SERVICE_ADVICE =
  "Not sure? LinkModel is cheapest for short clips, MiniMax is best if you start from your own pictures, and OpenRouter suits you if you already have credit there.";

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

/** "a MiniMax", "an OpenRouter": the article a name takes when it is read aloud. */
export function withArticle(name) {
  return `${/^[aeiou]/i.test(name) ? "an" : "a"} ${name}`;
}

/** Services that accept a key without saying what the account can spend. */
const NO_BALANCE = new Set(["minimax-global", "minimax-china", "linkmodel"]);

/** Said wherever a key works but the service keeps its balance to itself. */
export const BALANCE_UNKNOWN = "This service does not tell its balance: make sure you have credit on its website before you generate.";

/**
 * Splits the Rust side's sentence from the service's own words (`… (it said: "…", code 1004,
 * HTTP 200)`): the creator reads the first; the second goes under a closed "Details".
 */
export function splitDetails(message) {
  const text = String(message ?? "");
  const at = text.lastIndexOf(" (it said: ");
  if (at < 0 || !text.endsWith(")")) return { text, details: null };
  return { text: text.slice(0, at).trim(), details: `The service said: ${text.slice(at + " (it said: ".length, -1)}` };
}

/** The region advice in a MiniMax refusal, only true when the other region took the key. */
const REGION_HINT = / ?MiniMax keys only work in the region they were made in: if this key is from the other region \(global vs\. mainland China\), choose that one instead\./;

/**
 * A key test result as a creator reads it: a short headline, the Rust side's own sentence (the
 * service's codes apart, in `details`), and a tone for styling. `ok` says whether the key may be
 * kept; `topUp` that the creator should buy credit.
 */
export function readKeyTest(result) {
  const { text, details } = splitDetails(result.message);
  const base = { detail: text, details, provider: result.provider };
  const zero = result.creditLeft && Number(result.creditLeft.amount) <= 0;
  const credit = result.creditLeft ? formatMoney(result.creditLeft) : null;
  switch (result.verdict) {
    case "works":
    case "works-with-credit":
      if (zero) {
        return { ...base, tone: "warn", ok: true, topUp: true, headline: "No credit left", detail: `${text} Top it up before you generate: a video cannot be paid for with ${credit}.` };
      }
      if (credit) return { ...base, tone: "ok", ok: true, headline: `Works · ${credit} credit left`, creditLeft: result.creditLeft };
      if (NO_BALANCE.has(result.provider)) return { ...base, tone: "ok", ok: true, headline: "Works", detail: `${text} ${BALANCE_UNKNOWN}` };
      return { ...base, tone: "ok", ok: true, headline: "Works" };
    case "no-credit":
      return { ...base, tone: "warn", ok: true, topUp: true, headline: "No credit left" };
    case "rejected":
      return {
        ...base,
        tone: "danger",
        ok: false,
        headline: "Not accepted",
        // Both regions were asked and both refused: the region is not the cause.
        detail: REGION_HINT.test(text) ? text.replace(REGION_HINT, " Check that you pasted the whole key, and that it has not been revoked.") : text,
      };
    case "other-region":
      return {
        ...base,
        tone: "warn",
        ok: false,
        headline: `This key belongs to ${providerName(result.suggestedProvider)}`,
        suggestedProvider: result.suggestedProvider,
      };
    case "cannot-reach":
      return { ...base, tone: "warn", ok: true, headline: "Could not check right now" };
    default:
      return { ...base, tone: "warn", ok: true, headline: "Could not tell" };
  }
}

/** The credit each service last said it had left, this session: Create warns below a price. */
const knownCredit = new Map();

/** Remembers what a key test said about the credit left (forgets it when it said nothing). */
export function rememberCredit(provider, read) {
  if (read.creditLeft) knownCredit.set(provider, read.creditLeft);
  else if (read.topUp) knownCredit.set(provider, { amount: "0", currency: "USD" });
  else knownCredit.delete(provider);
}

/**
 * A warning when the credit last known for `provider` is below `price`, else null. Amounts of
 * different currencies are never compared.
 */
export function creditWarning(provider, price, credit = knownCredit.get(provider)) {
  if (!credit || !price || credit.currency !== price.currency) return null;
  if (Number(credit.amount) >= Number(price.amount)) return null;
  const name = providerName(provider);
  return Number(credit.amount) <= 0
    ? `Your ${name} account has no credit left. Top it up on ${name}'s website before you generate.`
    : `Your ${name} key has ${formatMoney(credit)} of credit left, less than this video's price. Top it up first.`;
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
