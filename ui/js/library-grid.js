// The Library's virtual grid: which cards a scroll position shows and where each one goes.
// Plain maths, no DOM, so node can test it; the view draws only the cards this returns.

/** How cards are laid out at the grid's width: columns, card size and row pitch (pixels). */
export function gridLayout(width, { minCardWidth = 240, gap = 16, captionHeight = 108, aspect = 16 / 9 } = {}) {
  const usable = Math.max(0, width);
  const columns = Math.max(1, Math.floor((usable + gap) / (minCardWidth + gap)));
  const cardWidth = Math.max(1, (usable - gap * (columns - 1)) / columns);
  const cardHeight = Math.round(cardWidth / aspect) + captionHeight;
  return { columns, cardWidth, cardHeight, rowHeight: cardHeight + gap, gap };
}

/** The height of the whole grid for `count` cards, as if every card were drawn. */
export function gridHeight(layout, count) {
  const rows = Math.ceil(count / layout.columns);
  return rows === 0 ? 0 : rows * layout.rowHeight - layout.gap;
}

/**
 * The cards to draw for the rows in view plus `overscanRows` above and below (so a quick scroll
 * never shows a gap): `[start, end)` indexes into the filtered list.
 */
export function visibleRange(layout, count, scrollTop, viewportHeight, overscanRows = 2) {
  const rows = Math.ceil(count / layout.columns);
  const top = Math.max(0, scrollTop);
  const firstRow = clamp(Math.floor(top / layout.rowHeight) - overscanRows, 0, rows);
  const lastRow = clamp(Math.ceil((top + Math.max(0, viewportHeight)) / layout.rowHeight) + overscanRows, 0, rows);
  return { start: Math.min(count, firstRow * layout.columns), end: Math.min(count, lastRow * layout.columns) };
}

/** Where card `index` sits inside the grid. */
export function cardPosition(layout, index) {
  const row = Math.floor(index / layout.columns);
  const column = index % layout.columns;
  return { top: row * layout.rowHeight, left: column * (layout.cardWidth + layout.gap) };
}

/** The scroll position that brings card `index` fully into view, or `scrollTop` if it already is. */
export function scrollToReveal(layout, index, scrollTop, viewportHeight) {
  const { top } = cardPosition(layout, index);
  const bottom = top + layout.cardHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}

function clamp(value, low, high) {
  return Math.min(high, Math.max(low, value));
}
