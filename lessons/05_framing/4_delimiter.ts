/**
 * # 05 · Step 4 · Fix B: a delimiter, `\n` after every message
 *
 * 呆贝斯's notes name it next to the length field: put a separator between
 * messages, a newline for text (使用包分隔符 … 添加一个换行符). The
 * receiver keeps bytes until a `\n` arrives; everything before it is one
 * message. It is what `nc` and a terminal already speak: typed into
 * `nc 127.0.0.1 9999`, each line goes out with its `\n` (which lesson 03's
 * unframed server took for part of the name: `Hello, Michael\n!`).
 *
 * The price: a message may not contain `\n`, and the receiver cannot know
 * how long a line will be, so it needs a limit, or a peer that never sends
 * `\n` fills its memory.
 *
 * Run it:  deno run --allow-net=127.0.0.1 lessons/05_framing/4_delimiter.ts
 *
 * @module
 */

import { LimitError, UnexpectedEofError } from "../../lib/errors.ts";
import { concatBytes, type Reader } from "../../lib/io.ts";
import { DEFAULT_MAX_LINE } from "../../lib/lines.ts";

export { DEFAULT_MAX_LINE };

/** The delimiter: `\n`, byte 0x0A. */
export const NEWLINE = 0x0a;

/**
 * The lines arriving on `conn`, as bytes without their `\n`, until the peer
 * closes its side. The Python way:
 *
 * ```python
 * buffer = b''
 * while True:
 *     data = sock.recv(1024)
 *     if not data: break
 *     buffer += data
 *     while b'\n' in buffer:
 *         line, buffer = buffer.split(b'\n', 1)
 *         yield line
 * ```
 *
 * plus what that loop lacks: a limit (`maxLine` bytes, default 64 KiB),
 * checked as the bytes arrive, not once a `\n` finally comes, and an error
 * for a last line cut off without its `\n`.
 *
 * @example Two lines, the first cut between two reads
 * ```ts
 * import { receiveLines } from "./4_delimiter.ts";
 * import assert from "node:assert/strict";
 *
 * const reads = ["hel", "lo\nwörld\n"].map((s) => new TextEncoder().encode(s));
 * const conn = {
 *   read(p: Uint8Array) {
 *     const next = reads.shift();
 *     if (next === undefined) return Promise.resolve(null);
 *     p.set(next);
 *     return Promise.resolve(next.length);
 *   },
 * };
 * const lines = await Array.fromAsync(receiveLines(conn));
 * assert.deepEqual(lines.map((l) => new TextDecoder().decode(l)), ["hello", "wörld"]);
 * ```
 */
export async function* receiveLines(
  conn: Reader,
  maxLine = DEFAULT_MAX_LINE,
): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(1024);
  let held: Uint8Array[] = []; // the start of the current line, from earlier reads
  let heldBytes = 0;
  while (true) {
    // Python: data = sock.recv(1024); if not data: break
    const n = await conn.read(buffer);
    if (n === null) break;
    let start = 0;
    // Python: while b'\n' in buffer: line, buffer = buffer.split(b'\n', 1)
    for (let end; (end = buffer.indexOf(NEWLINE, start)) !== -1 && end < n; start = end + 1) {
      if (heldBytes + end - start > maxLine) throw lineTooLong(maxLine);
      yield concatBytes([...held, buffer.subarray(start, end)]);
      held = [];
      heldBytes = 0;
    }
    // No `\n` in the rest: keep it, unless the line is already too long.
    if (heldBytes + n - start > maxLine) throw lineTooLong(maxLine);
    held.push(buffer.slice(start, n));
    heldBytes += n - start;
  }
  if (heldBytes > 0) {
    throw new UnexpectedEofError(
      `the stream ended inside a line (${heldBytes} bytes with no "\\n")`,
      "the peer closed the connection in the middle of a message",
    );
  }
}

function lineTooLong(maxLine: number): LimitError {
  return new LimitError(
    `a line longer than ${maxLine} bytes arrived without "\\n"`,
    "the peer sent a line longer than --max-line allows",
  );
}

// ── Why this is safe for UTF-8, and where it is used ────────────────────────
//
// Splitting on the byte 0x0A never cuts a character: every byte of a
// multi-byte UTF-8 character is 0x80 or above. So decode each whole line,
// never each read (a read can end in the middle of `é`).
//
// `receiveLines` keeps the pieces of a long line in a list and joins them
// once, so a line arriving in many reads is copied once, not once per read
// (Python's `buffer += data` copies the whole buffer every time). Lesson 07's
// chat speaks lines too and uses the same idea packaged for reuse:
// `LineDecoder` in lib/lines.ts, which is fed the bytes of each read.

// Run on its own, this step prints its part of the demo (`deno task 05` runs them all).
if (import.meta.main) import("./demo.ts").then((demo) => demo.delimiterPart(console.log));
