// Saved keys and key tests read plainly, and budgets reach the Rust side as exact amounts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describeSavedKey, parseBudget, providerOfService, readKeyTest, formatMoney } from "../js/accounts.js";

test("a saved key is shown by its last characters only", () => {
  assert.equal(describeSavedKey({ provider: "openrouter", endsWith: "abcd" }), "Saved, ends in …abcd");
  assert.equal(describeSavedKey(undefined), "No key saved");
});

test("the MiniMax card means the region the creator chose", () => {
  assert.equal(providerOfService("minimax", "china"), "minimax-china");
  assert.equal(providerOfService("minimax", "global"), "minimax-global");
  assert.equal(providerOfService("linkmodel", "china"), "linkmodel");
});

test("OpenRouter's remaining credit is part of the headline", () => {
  const read = readKeyTest({ verdict: "works-with-credit", message: "m", creditLeft: { amount: "7.5", currency: "USD" } });
  assert.equal(read.headline, "Works · $7.50 credit left");
  assert.equal(read.ok, true);
});

test("a key of the other MiniMax region names that region and is not kept", () => {
  const read = readKeyTest({ verdict: "other-region", message: "m", suggestedProvider: "minimax-china" });
  assert.equal(read.headline, "This key belongs to MiniMax China");
  assert.equal(read.ok, false);
  assert.equal(read.suggestedProvider, "minimax-china");
});

test("a rejected key is not kept, an unreachable service keeps it", () => {
  assert.equal(readKeyTest({ verdict: "rejected", message: "m" }).ok, false);
  assert.equal(readKeyTest({ verdict: "cannot-reach", message: "m" }).ok, true);
});

test("budgets are exact decimal strings, empty means no limit", () => {
  assert.equal(parseBudget(" $1,250.50 "), "1250.50");
  assert.equal(parseBudget("¥300"), "300");
  assert.equal(parseBudget("   "), null);
  assert.throws(() => parseBudget("-5"), /not an amount/);
  assert.throws(() => parseBudget("12.345"), /not an amount/);
  assert.equal(formatMoney({ amount: "180", currency: "CNY" }), "¥180.00");
});

test("a key with an empty account is kept, with a warning", () => {
  const read = readKeyTest({ verdict: "no-credit", message: "top it up" });
  assert.equal(read.ok, true);
  assert.equal(read.tone, "warn");
  assert.equal(read.headline, "Works, but no credit left");
});
