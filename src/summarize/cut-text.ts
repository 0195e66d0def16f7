// Text from the data is shown cut: one 50 MB cell must not make a 150 MB page. A value longer
// than the limit (max_text_chars, in code points) keeps its first `max - 1` code points and
// ends in "…", so the result is exactly `max` code points and never splits a surrogate pair.

import type { Cell } from "./summary.ts";

/** The mark a cut value ends with. */
export const ELLIPSIS = "…";

/** `text` cut to at most `max` code points (≥ 1), ending in "…" when cut. */
export function cutText(text: string, max: number): string {
  // At most `max` UTF-16 units is at most `max` code points: the common case costs nothing.
  if (text.length <= max) return text;
  let at = 0;
  let keep = 0;
  for (let count = 0; at < text.length; count++) {
    if (count === max - 1) keep = at;
    if (count === max) return text.slice(0, keep) + ELLIPSIS;
    at += isPairAt(text, at) ? 2 : 1;
  }
  return text;
}

/** True when a high surrogate at `at` is followed by a low one: one code point in two units. */
function isPairAt(text: string, at: number): boolean {
  const high = text.charCodeAt(at);
  if (high < 0xd800 || high > 0xdbff) return false;
  const low = text.charCodeAt(at + 1);
  return low >= 0xdc00 && low <= 0xdfff;
}

/** `cell` cut when it is text; numbers, booleans and null as they are. */
export function cutCell(cell: Cell, max: number): Cell {
  return typeof cell === "string" ? cutText(cell, max) : cell;
}
