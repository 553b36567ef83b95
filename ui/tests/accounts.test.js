// Saved keys and key tests read plainly, and budgets reach the Rust side as exact amounts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SERVICES, SERVICE_ADVICE, creditWarning, describeSavedKey, parseBudget, providerOfService, readKeyTest, formatMoney, splitDetails, withArticle } from "../js/accounts.js";

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

test("a key with an empty account is kept, with a warning and a way to top up", () => {
  const read = readKeyTest({ provider: "minimax-global", verdict: "no-credit", message: "top it up" });
  assert.equal(read.ok, true);
  assert.equal(read.tone, "warn");
  assert.equal(read.headline, "No credit left");
  assert.equal(read.topUp, true);
});

test("an OpenRouter key with nothing left under its limit reads No credit left, not Works", () => {
  const read = readKeyTest({ provider: "openrouter", verdict: "works-with-credit", message: "OpenRouter accepted your key.", creditLeft: { amount: "0", currency: "USD" } });
  assert.equal(read.headline, "No credit left");
  assert.equal(read.tone, "warn");
  assert.equal(read.topUp, true);
  assert.doesNotMatch(read.headline, /Works/);
});

test("a working key at a service that keeps its balance to itself says so", () => {
  for (const provider of ["minimax-global", "minimax-china", "linkmodel"]) {
    const read = readKeyTest({ provider, verdict: "works", message: "MiniMax accepted your key. Testing it cost nothing." });
    assert.equal(read.tone, "ok");
    assert.match(read.detail, /does not tell its balance: make sure you have credit/);
  }
  const openrouter = readKeyTest({ provider: "openrouter", verdict: "works", message: "m" });
  assert.doesNotMatch(openrouter.detail, /balance/);
});

test("Create warns when the credit last seen is below the price", () => {
  const price = { amount: "0.49", currency: "USD" };
  assert.match(creditWarning("openrouter", price, { amount: "0.20", currency: "USD" }), /\$0\.20 of credit left, less than/);
  assert.match(creditWarning("openrouter", price, { amount: "0", currency: "USD" }), /no credit left/);
  assert.equal(creditWarning("openrouter", price, { amount: "7.5", currency: "USD" }), null);
  assert.equal(creditWarning("openrouter", price, undefined), null);
  assert.equal(creditWarning("minimax-china", { amount: "2", currency: "CNY" }, { amount: "1", currency: "USD" }), null);
});

test("names take the article they are read with", () => {
  assert.equal(withArticle("OpenRouter"), "an OpenRouter");
  assert.equal(withArticle("MiniMax"), "a MiniMax");
  assert.equal(withArticle("LinkModel"), "a LinkModel");
  assert.equal(withArticle("MiniMax China"), "a MiniMax China");
});

test("a service's codes go under Details, the sentence stays in front", () => {
  const split = splitDetails('MiniMax did not accept your API key. Check it. (it said: “token not match group”, code 1004, HTTP 200)');
  assert.equal(split.text, "MiniMax did not accept your API key. Check it.");
  assert.equal(split.details, "The service said: “token not match group”, code 1004, HTTP 200");
  assert.deepEqual(splitDetails("No codes here."), { text: "No codes here.", details: null });
});

test("a mistyped MiniMax key refused by both regions is not blamed on the region", () => {
  const read = readKeyTest({
    provider: "minimax-global",
    verdict: "rejected",
    message:
      'MiniMax did not accept your API key. MiniMax keys only work in the region they were made in: if this key is from the other region (global vs. mainland China), choose that one instead. (it said: “authorized failed”, code 1004, HTTP 200)',
  });
  assert.equal(read.ok, false);
  assert.doesNotMatch(read.detail, /region/);
  assert.doesNotMatch(read.detail, /1004|HTTP/);
  assert.match(read.detail, /pasted the whole key/);
  assert.match(read.details, /1004/);
});

test("every service shows one comparable price for a 6 s video, and there is one line of advice", () => {
  for (const service of SERVICES) assert.match(service.sixSeconds, /^[$¥]\d+\.\d\d for a 6 s video/);
  assert.equal(SERVICE_ADVICE.split(". ").length, 1);
});
