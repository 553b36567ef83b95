// The price is asked for before any words are written; the start always carries the real ones.
import { test } from "node:test";
import assert from "node:assert/strict";
import { quoteRequestOf, requestOf } from "../js/request.js";

const compose = { provider: "openrouter", model: "hailuo-2.3", prompt: "", firstFrame: null, duration: 6, resolution: "1080P", promptOptimizer: true };

test("the price is asked for before a prompt is written, with every setting kept", () => {
  const quoted = quoteRequestOf(compose);
  assert.ok(quoted.prompt.trim().length > 0);
  assert.deepEqual({ ...quoted, prompt: "" }, requestOf(compose));
  assert.equal(quoteRequestOf({ ...compose, prompt: "A fox" }).prompt, "A fox");
  // The request itself is untouched: Generate still sees the empty prompt.
  assert.equal(requestOf(compose).prompt, "");
});
