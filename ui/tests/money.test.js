import { test } from "node:test";
import assert from "node:assert/strict";
import { formatMoney } from "../js/money.js";

test("amounts read as the creator expects, rounded to cents", () => {
  assert.equal(formatMoney({ amount: "0.28", currency: "USD" }), "$0.28");
  assert.equal(formatMoney({ amount: "0.4902", currency: "USD" }), "$0.49");
  assert.equal(formatMoney({ amount: "3.5", currency: "CNY" }), "¥3.50");
});
