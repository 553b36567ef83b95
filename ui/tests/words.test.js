// Every message the UI can show reads as words for a creator: no raw codes or JSON in front,
// no "undefined" or "null", and no "a OpenRouter".
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { PROVIDERS, SERVICES, SERVICE_ADVICE, creditWarning, readKeyTest, withArticle } from "../js/accounts.js";
import { costWords, flagWords, stopWarning } from "../js/queue-words.js";
import { moneyWords } from "../js/library-filter.js";

const UI = new URL("../js/", import.meta.url).pathname;

function sources(dir = UI) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith(".js") ? [join(dir, entry.name)] : [],
  );
}

/** The text of every string and template literal in the UI's code (comments left out). */
function literals(code) {
  const withoutComments = code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  return [...withoutComments.matchAll(/"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g)].map((m) => m[1] ?? m[2]);
}

/** What is wrong with a sentence a creator reads; empty when nothing. */
function problems(text) {
  const found = [];
  if (/\ba [AEIOU][a-z]/.test(text)) found.push("“a” before a vowel");
  if (/\ban [BCDFGHJKLMNPQRSTVWXYZ][a-z]/.test(text)) found.push("“an” before a consonant");
  if (/\bundefined\b|\bnull\b|NaN|\[object /.test(text)) found.push("a missing value");
  if (/[{}]|"\w+":/.test(text)) found.push("JSON");
  return found;
}

test("no literal in the UI's code puts a wrong article before a name, or builds one from a name", () => {
  const bad = [];
  for (const file of sources()) {
    for (const text of literals(readFileSync(file, "utf8"))) {
      if (/\ba [AEIOU][a-z]/.test(text)) bad.push(`${file}: ${text}`);
      // "a ${name}" cannot know the name's first sound: withArticle() does.
      if (/\b[Aa]n? \$\{/.test(text)) bad.push(`${file}: ${text}`);
    }
  }
  assert.deepEqual(bad, []);
});

test("every key test verdict, at every service, reads without codes, JSON or missing values", () => {
  const message = 'The service did not accept your API key. Check that you pasted the whole key. (it said: "invalid api key", code 1004, HTTP 401)';
  const verdicts = ["works", "works-with-credit", "no-credit", "rejected", "other-region", "cannot-reach", "could-not-tell"];
  for (const provider of PROVIDERS.map((p) => p.id)) {
    for (const verdict of verdicts) {
      for (const creditLeft of [null, { amount: "0", currency: "USD" }, { amount: "3.5", currency: "USD" }]) {
        const read = readKeyTest({ provider, verdict, message, creditLeft, suggestedProvider: "minimax-china" });
        for (const text of [read.headline, read.detail]) {
          assert.deepEqual(problems(text), [], `${provider} ${verdict}: ${text}`);
          assert.doesNotMatch(text, /code \d|HTTP \d/, `${provider} ${verdict}: codes in front: ${text}`);
        }
      }
    }
  }
});

test("names, prices, advice, credit warnings and money lines read as plain words", () => {
  const texts = [SERVICE_ADVICE, ...SERVICES.flatMap((s) => [s.tagline, s.sixSeconds, s.extra ?? ""])];
  for (const { id, name } of PROVIDERS) {
    texts.push(`Add ${withArticle(name)} key in Settings to generate here.`);
    texts.push(creditWarning(id, { amount: "0.49", currency: "USD" }, { amount: "0", currency: "USD" }) ?? "");
    texts.push(creditWarning(id, { amount: "0.49", currency: "USD" }, { amount: "0.2", currency: "USD" }) ?? "");
  }
  const states = ["waiting", "submitting", "queued", "running", "downloading", "done", "failed", "cancelled", "unknown"];
  for (const state of states) {
    for (const estimate of [null, "0.28"]) {
      for (const charged of [null, "0", "0.28"]) {
        for (const mayHaveBeenCharged of [false, true]) {
          const card = { state, stateWords: "Working", mayHaveBeenCharged, offline: false, longRunning: false, stopped: false, cost: { estimate, charged, currency: "USD", basis: "MiniMax's price list" } };
          texts.push(costWords(card).text, ...flagWords(card).map((f) => f.text), stopWarning(card));
          const generation = {
            state,
            request: {},
            estimatedCost: estimate && { money: { amount: estimate, currency: "USD" }, label: "" },
            chargedCost: charged && { money: { amount: charged, currency: "USD" } },
          };
          texts.push(moneyWords({ generation, money: mayHaveBeenCharged ? "may-have-been-charged" : null }).text);
        }
      }
    }
  }
  for (const text of texts) assert.deepEqual(problems(text), [], text);
});
