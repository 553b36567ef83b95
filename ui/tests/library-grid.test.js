// The virtual grid draws only the rows in view, wherever the scroll is, at any width.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cardPosition, gridHeight, gridLayout, scrollToReveal, visibleRange } from "../js/library-grid.js";

test("as many columns fit as the minimum card width allows, at least one", () => {
  assert.equal(gridLayout(1100, { minCardWidth: 240, gap: 16 }).columns, 4);
  assert.equal(gridLayout(1111, { minCardWidth: 240, gap: 16 }).columns, 4);
  assert.equal(gridLayout(1264, { minCardWidth: 240, gap: 16 }).columns, 5);
  assert.equal(gridLayout(100, { minCardWidth: 240, gap: 16 }).columns, 1);
  assert.equal(gridLayout(0).columns, 1);
});

test("cards fill the width exactly, gaps included, and keep a 16:9 picture", () => {
  const layout = gridLayout(1000, { minCardWidth: 240, gap: 20, captionHeight: 80 });
  assert.equal(layout.columns, 3);
  assert.equal(layout.cardWidth * 3 + 20 * 2, 1000);
  assert.equal(layout.cardHeight, Math.round(layout.cardWidth * 9 / 16) + 80);
  assert.equal(layout.rowHeight, layout.cardHeight + 20);
});

test("the grid is as tall as all its rows, without a trailing gap", () => {
  const layout = { columns: 4, cardWidth: 200, cardHeight: 200, rowHeight: 216, gap: 16 };
  assert.equal(gridHeight(layout, 0), 0);
  assert.equal(gridHeight(layout, 1), 200);
  assert.equal(gridHeight(layout, 8), 216 + 200);
  assert.equal(gridHeight(layout, 10_000), 2500 * 216 - 16);
});

test("ten thousand cards: only the rows in view and two on either side are drawn", () => {
  const layout = { columns: 4, cardWidth: 200, cardHeight: 200, rowHeight: 216, gap: 16 };
  const atTop = visibleRange(layout, 10_000, 0, 700);
  // Rows 0..3 are in view (700 / 216 = 3.2), plus two below.
  assert.deepEqual(atTop, { start: 0, end: 6 * 4 });
  const deep = visibleRange(layout, 10_000, 216 * 1000 + 100, 700);
  assert.deepEqual(deep, { start: 998 * 4, end: 1006 * 4 });
  assert.ok(deep.end - deep.start <= 40, "never more than a screenful and the margins");
});

test("the last rows stop at the last card, and a scroll past the end draws the end", () => {
  const layout = { columns: 4, cardWidth: 200, cardHeight: 200, rowHeight: 216, gap: 16 };
  assert.deepEqual(visibleRange(layout, 10, 0, 5000), { start: 0, end: 10 });
  const past = visibleRange(layout, 10, 99_999, 700);
  assert.equal(past.end, 10);
  assert.ok(past.start <= past.end);
  assert.deepEqual(visibleRange(layout, 0, 0, 700), { start: 0, end: 0 });
  assert.deepEqual(visibleRange(layout, 10, -50, 700), { start: 0, end: 10 });
});

test("a card's place follows its row and column", () => {
  const layout = { columns: 3, cardWidth: 300, cardHeight: 250, rowHeight: 266, gap: 16 };
  assert.deepEqual(cardPosition(layout, 0), { top: 0, left: 0 });
  assert.deepEqual(cardPosition(layout, 2), { top: 0, left: 632 });
  assert.deepEqual(cardPosition(layout, 7), { top: 532, left: 316 });
});

test("revealing a card scrolls only as far as needed", () => {
  const layout = { columns: 2, cardWidth: 300, cardHeight: 200, rowHeight: 216, gap: 16 };
  assert.equal(scrollToReveal(layout, 0, 0, 500), 0);
  assert.equal(scrollToReveal(layout, 2, 0, 500), 0, "row 1 is already in view");
  assert.equal(scrollToReveal(layout, 6, 0, 500), 3 * 216 + 200 - 500);
  assert.equal(scrollToReveal(layout, 0, 400, 500), 0);
});
