/**
 * # Exercise 05b · Half packets (半包) made whole: readExactly (the reference solution)
 *
 * @module
 */

import { UnexpectedEofError } from "../../../lib/errors.ts";
import type { Reader } from "../../../lib/io.ts";

/**
 * Reads until `n` bytes have come, however many reads that takes. `null` if
 * the stream ended before the first byte; throws {@linkcode UnexpectedEofError}
 * if it ended part-way.
 */
export async function readExactly(conn: Reader, n: number): Promise<Uint8Array | null> {
  const bytes = new Uint8Array(n);
  let filled = 0;
  while (filled < n) {
    // Python: chunk = sock.recv(n - len(data)): only the part still missing.
    const got = await conn.read(bytes.subarray(filled));
    if (got === null) break;
    filled += got;
  }
  if (filled === n) return bytes;
  if (filled === 0) return null;
  throw new UnexpectedEofError(
    `the stream ended after ${filled} of ${n} bytes`,
    "the peer closed the connection in the middle of a message",
  );
}
