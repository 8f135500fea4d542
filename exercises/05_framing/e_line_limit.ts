/**
 * # Exercise 05e · A delimiter, and a line that never ends
 *
 * Lesson 05, step 4 (`lessons/05_framing/4_delimiter.ts`). Fix B: every
 * message ends with `\n`, and the receiver keeps bytes until one comes. The
 * tutorials' loop, `buffer += sock.recv(1024)` then `buffer.split(b'\n', 1)`,
 * has no end: a peer that sends bytes and never `\n` fills the receiver's
 * memory. So a line over `maxLine` bytes is refused as soon as its bytes
 * pass the limit, not when a `\n` finally comes (it may never).
 *
 * Check it:  deno task verify 05e        Stuck?  deno task hint 05e
 *
 * @module
 */

import { LimitError, UnexpectedEofError } from "../../lib/errors.ts";
import { concatBytes, type Reader } from "../../lib/io.ts";
import { DEFAULT_MAX_LINE, NEWLINE } from "../../lessons/05_framing/4_delimiter.ts";

/**
 * The lines arriving on `conn`, as bytes without their `\n`, until the peer
 * closes its side. A line over `maxLine` bytes throws {@linkcode LimitError};
 * a last line without its `\n` throws {@linkcode UnexpectedEofError}.
 */
export async function* receiveLines(
  conn: Reader,
  maxLine = DEFAULT_MAX_LINE,
): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(1024);
  let pending: Uint8Array = new Uint8Array(0); // the start of a line, from earlier reads
  // TODO(05e): read into `buffer` until read() returns null. Add each read's
  // bytes to `pending` (concatBytes), then yield every complete line in it
  // (the bytes before each NEWLINE) and keep the rest. If what is kept is
  // over `maxLine` bytes, throw a LimitError at once. At the end, bytes still
  // pending are a line cut off: throw an UnexpectedEofError. When it works,
  // "héllo\nsticky\n" cut anywhere gives héllo and sticky, and 11 bytes
  // without \n are refused at maxLine 10 before another read is made.
}
