// How amounts of money read in the UI. The Rust side sends exact decimal strings.

const SYMBOLS = { USD: "$", CNY: "¥" };

/** `{amount: "0.4902", currency: "USD"}` → `$0.49`. Rounded for display only. */
export function formatMoney(money) {
  if (!money) return "";
  const value = Number(money.amount);
  const symbol = SYMBOLS[money.currency] ?? `${money.currency} `;
  return `${symbol}${value.toFixed(2)}`;
}
