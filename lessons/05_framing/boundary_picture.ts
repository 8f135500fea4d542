/**
 * Pictures of a byte stream for the terminal: where the sender's writes
 * began and ended, against where the receiver's reads did. The bytes are the
 * same in every row; only the boxes differ, and that difference is what
 * sticky packets (粘包) and half packets (半包) are.
 *
 * ```
 *              ┌─────────┬───────────┬─────────────┐
 *   3 writes   │h e l l o│s t i c k y│p a c k e t s│
 *              └─────────┴───────────┴─────────────┘
 *              ┌───────────────────────────────────┐
 *   1 read     │h e l l o s t i c k y p a c k e t s│
 *              └───────────────────────────────────┘
 * ```
 *
 * Short streams are drawn byte by byte, two columns per byte, so that a
 * boundary in one row sits exactly above or below the same offset in the
 * others. Long streams are drawn as boxes labelled with their sizes.
 *
 * @module
 */

/** One row of the picture: a label and the pieces of the stream, in order. */
export interface PictureRow {
  /** Shown on the left, e.g. `3 writes`. */
  label: string;
  /** Consecutive pieces of the stream: the writes, or the reads. */
  pieces: readonly Uint8Array[];
}

/** Streams up to this many bytes are drawn byte by byte. */
export const MAX_EXACT_BYTES = 36;

/** How many boxes a long row shows before eliding the middle ones. */
export const MAX_BOXES = 6;

/**
 * Draws `rows` as boxes, one box per piece, every row the same width.
 *
 * @example
 * ```ts
 * import { drawPicture } from "./boundary_picture.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = (s: string) => new TextEncoder().encode(s);
 * const lines = drawPicture([
 *   { label: "2 writes", pieces: [bytes("ab"), bytes("cd")] },
 *   { label: "1 read", pieces: [bytes("abcd")] },
 * ]);
 * assert.deepEqual(lines, [
 *   "           ┌───┬───┐",
 *   "2 writes   │a b│c d│",
 *   "           └───┴───┘",
 *   "           ┌───────┐",
 *   "1 read     │a b c d│",
 *   "           └───────┘",
 * ]);
 * ```
 */
export function drawPicture(rows: readonly PictureRow[]): string[] {
  const longest = Math.max(...rows.map((row) => total(row.pieces)));
  const boxes = rows.map((row) => {
    const pieces = row.pieces.filter((piece) => piece.length > 0);
    return longest <= MAX_EXACT_BYTES ? exactBoxes(pieces) : sizeBoxes(pieces);
  });
  const width = Math.max(...boxes.map(boxWidth));
  const labelWidth = Math.max(...rows.map((row) => row.label.length)) + 3;
  const margin = " ".repeat(labelWidth);
  return rows.flatMap((row, i) => {
    const [top, middle, bottom] = drawCells(boxes[i], width);
    return [margin + top, row.label.padEnd(labelWidth) + middle, margin + bottom];
  });
}

/** How one byte is drawn: printable ASCII as itself, the rest as a symbol. */
export function glyph(byte: number): string {
  if (byte === 0x0a) return "↵"; // the line delimiter
  if (byte === 0x20) return "␣";
  if (byte <= 0x09) return String(byte); // small header bytes: 00 00 00 05 → 0 0 0 5
  if (byte > 0x20 && byte < 0x7f) return String.fromCharCode(byte);
  return "·";
}

function total(pieces: readonly Uint8Array[]): number {
  return pieces.reduce((sum, piece) => sum + piece.length, 0);
}

/** One box's text and whether it may be widened to fill the row. */
interface Cell {
  text: string;
  stretch: boolean;
}

function boxWidth(cells: readonly Cell[]): number {
  return cells.reduce((sum, cell) => sum + cell.text.length, 0) + cells.length + 1;
}

/** Every byte a glyph, spaced out, so every boundary falls on a column of its own. */
function exactBoxes(pieces: readonly Uint8Array[]): Cell[] {
  return pieces.map((piece) => ({ text: [...piece].map(glyph).join(" "), stretch: false }));
}

/** Each piece a box labelled with its size; long rows keep the first 3 and last 2. */
function sizeBoxes(pieces: readonly Uint8Array[]): Cell[] {
  if (pieces.length === 1) return [{ text: ` ${pieces[0].length} bytes `, stretch: true }];
  const cell = (piece: Uint8Array): Cell => ({ text: String(piece.length), stretch: false });
  if (pieces.length <= MAX_BOXES) return pieces.map(cell);
  return [
    ...pieces.slice(0, 3).map(cell),
    { text: ` … ${pieces.length - 5} more … `, stretch: true },
    ...pieces.slice(-2).map(cell),
  ];
}

/** Three lines of boxes, padded to `width` by widening the stretchable cell. */
function drawCells(cells: readonly Cell[], width: number): [string, string, string] {
  const extra = width - boxWidth(cells);
  let stretch = cells.findIndex((cell) => cell.stretch);
  if (stretch === -1) stretch = cells.length - 1;
  const texts = cells.map((cell, i) =>
    i === stretch ? center(cell.text, cell.text.length + extra) : cell.text
  );
  const lengths = texts.map((text) => text.length);
  return [
    "┌" + lengths.map((n) => "─".repeat(n)).join("┬") + "┐",
    "│" + texts.join("│") + "│",
    "└" + lengths.map((n) => "─".repeat(n)).join("┴") + "┘",
  ];
}

function center(text: string, width: number): string {
  const left = Math.floor((width - text.length) / 2);
  return text.padStart(text.length + left).padEnd(width);
}
