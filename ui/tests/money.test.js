// Amounts and budget bars read the way the Rust side means them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { budgetShares, formatMoney, providerLine } from "../js/money.js";

test("amounts round half away from zero on their decimal digits", () => {
  assert.equal(formatMoney({ amount: "0.28", currency: "USD" }), "$0.28");
  assert.equal(formatMoney({ amount: "0.4902", currency: "USD" }), "$0.49");
  assert.equal(formatMoney({ amount: "0.817", currency: "USD" }), "$0.82");
  assert.equal(formatMoney({ amount: "1.005", currency: "USD" }), "$1.01");
  assert.equal(formatMoney({ amount: "0.224", currency: "USD" }), "$0.22");
  assert.equal(formatMoney({ amount: "3.5", currency: "CNY" }), "¥3.50");
  assert.equal(formatMoney({ amount: "0", currency: "USD" }), "$0.00");
  assert.equal(formatMoney({ amount: "12", currency: "CNY" }), "¥12.00");
  assert.equal(formatMoney({ amount: "0.995", currency: "USD" }), "$1.00");
  assert.equal(formatMoney(null), "");
});

test("the budget bar splits spent, in flight and at risk against the limit", () => {
  const usd = (amount) => ({ amount, currency: "USD" });
  const shares = budgetShares({ limit: usd("2.00"), spent: usd("0.50"), inFlight: usd("0.49"), atRisk: usd("0.28"), left: usd("0.73") });
  assert.deepEqual(shares, { spent: 25, inFlight: 24.5, atRisk: 14, full: false });
});

test("a month past its budget fills the bar without overflowing it", () => {
  const usd = (amount) => ({ amount, currency: "USD" });
  const shares = budgetShares({ limit: usd("1.00"), spent: usd("0.90"), inFlight: usd("0.49"), atRisk: usd("0"), left: usd("0") });
  assert.deepEqual(shares, { spent: 90, inFlight: 10, atRisk: 0, full: true });
  assert.equal(budgetShares({ limit: usd("0"), spent: usd("0"), inFlight: usd("0"), atRisk: usd("0") }).full, false);
});

test("a provider's share names the provider, the videos and the amount", () => {
  const line = providerLine({ provider: "openrouter", amount: { amount: "0.98", currency: "USD" }, generations: 2 });
  assert.equal(line, "OpenRouter · 2 videos · $0.98");
  assert.equal(providerLine({ provider: "minimax-china", amount: { amount: "2", currency: "CNY" }, generations: 1 }), "MiniMax China · 1 video · ¥2.00");
});
