// How amounts and budgets read on screen. Plain functions, no DOM, so node can test them.

export const PROVIDER_NAMES = {
  "minimax-global": "MiniMax",
  "minimax-china": "MiniMax China",
  openrouter: "OpenRouter",
  linkmodel: "LinkModel",
};

const SYMBOLS = { USD: "$", CNY: "¥" };

/**
 * `{amount: "0.4902", currency: "USD"}` → `$0.49`. Amounts arrive as exact decimal strings and
 * are rounded half away from zero on the digits themselves, never through binary floats
 * (where 1.005 would show as 1.00).
 */
export function formatMoney(money) {
  if (!money) return "";
  const symbol = SYMBOLS[money.currency] ?? `${money.currency} `;
  return `${symbol}${roundToCents(money.amount)}`;
}

function roundToCents(amount) {
  const text = String(amount).trim();
  const negative = text.startsWith("-");
  const [whole, fraction = ""] = text.replace(/^[-+]/, "").split(".");
  let cents = BigInt((whole || "0") + (fraction + "00").slice(0, 2));
  if ((fraction[2] ?? "0") >= "5") cents += 1n;
  const digits = cents.toString().padStart(3, "0");
  const result = `${digits.slice(0, -2)}.${digits.slice(-2)}`;
  return negative && cents !== 0n ? `-${result}` : result;
}

/**
 * The budget bar's three parts as percentages of the limit (spent, in flight, may have been
 * charged), each capped so the bar never overflows, and whether the month is over.
 */
export function budgetShares(status) {
  const limit = Number(status.limit.amount);
  const parts = [status.spent, status.inFlight, status.atRisk].map((m) => Number(m.amount));
  const used = parts.reduce((a, b) => a + b, 0);
  if (!(limit > 0)) return { spent: 0, inFlight: 0, atRisk: 0, full: used > 0 };
  let room = 100;
  const [spent, inFlight, atRisk] = parts.map((part) => {
    const share = Math.min(room, (part / limit) * 100);
    room -= share;
    return Math.round(share * 10) / 10;
  });
  return { spent, inFlight, atRisk, full: used >= limit };
}

/** The month's name for the budget heading, in the creator's language. */
export function monthName(date = new Date()) {
  return date.toLocaleString(undefined, { month: "long" });
}

/** A provider's share of a total, as one line: `OpenRouter · 2 videos · $0.98`. */
export function providerLine(part) {
  const videos = part.generations === 1 ? "1 video" : `${part.generations} videos`;
  return `${PROVIDER_NAMES[part.provider] ?? part.provider} · ${videos} · ${formatMoney(part.amount)}`;
}
