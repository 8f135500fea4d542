/**
 * # Exercise 05b · Half packets (半包) made whole: readExactly
 *
 * Lesson 05, step 2 (`lessons/05_framing/2_half.ts`) and step 3. One write
 * can come back as many reads: a read returns what has arrived, up to the
 * size asked for. A receiver that needs exactly `n` bytes (a 4-byte header,
 * then the message) keeps reading until it has them: Python's
 *
 *     def recv_exactly(sock, n):
 *         data = b''
 *         while len(data) < n:
 *             chunk = sock.recv(n - len(data))
 *             if not chunk: ...
 *             data += chunk
 *
 * Check it:  deno task verify 05b        Stuck?  deno task hint 05b
 *
 * @module
 */

import { UnexpectedEofError } from "../../lib/errors.ts";
import type { Reader } from "../../lib/io.ts";

/**
 * Reads until `n` bytes have come, however many reads that takes. `null` if
 * the stream ended before the first byte; throws {@linkcode UnexpectedEofError}
 * if it ended part-way.
 */
export async function readExactly(conn: Reader, n: number): Promise<Uint8Array | null> {
  const bytes = new Uint8Array(n);
  let filled = 0;
  // TODO(05b): read into the part of `bytes` not filled yet until all `n`
  // have come (never more: the next message's bytes stay for the next call).
  // If read() returns null first: return null when nothing had come, else
  // throw an UnexpectedEofError. When it works, 5 bytes arriving 1, 2 and 2
  // at a time come back as one Uint8Array of 5, and one 100 KiB write is
  // read back whole.
  return filled === n ? bytes : null;
}
