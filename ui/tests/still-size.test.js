import { test } from "node:test";
import assert from "node:assert/strict";

import { POSTER_MAX_SIDE, stillSize } from "../js/still-frames.js";

test("a 1080P poster is drawn card-sized, keeping its shape", () => {
  assert.deepEqual(stillSize(1920, 1080, POSTER_MAX_SIDE), { width: 640, height: 360 });
});

test("a portrait video's poster is card-sized on its longer side", () => {
  assert.deepEqual(stillSize(1080, 1920, POSTER_MAX_SIDE), { width: 360, height: 640 });
});

test("a video already small enough is drawn at its own size", () => {
  assert.deepEqual(stillSize(512, 288, POSTER_MAX_SIDE), { width: 512, height: 288 });
});

test("the last frame, the next first frame, is never scaled down", () => {
  assert.deepEqual(stillSize(1920, 1080, Infinity), { width: 1920, height: 1080 });
});
