/**
 * # Exercise 05d · What the tutorial leaves out: a 4 GiB header
 *
 * Lesson 05, step 3 (`lessons/05_framing/3_length_prefix.ts`). A receiver
 * of frames trusts a number a stranger sent: four bytes `ff ff ff ff`
 * announce 4 GiB. A receiver that believes it reserves 4 GiB, then waits for
 * bytes that never come, while the stranger opens the next connection. The
 * lesson's servers check the length against a limit (`--max-frame`, 1 MiB)
 * before they allocate or read a byte of the payload.
 *
 * Check it:  deno task verify 05d        Stuck?  deno task hint 05d
 *
 * @module
 */

import type { Reader } from "../../lib/io.ts";
import {
  type FrameOptions,
  HEADER_BYTES,
  headerOverLimit,
  maxFrameOf,
  parseFrameHeader,
  readExactly,
} from "../../lessons/05_framing/3_length_prefix.ts";
import { UnexpectedEofError } from "../../lib/errors.ts";

/**
 * Receives one frame: its payload, or `null` when the peer closed between
 * frames. A header over `options.maxFrame` (default 1 MiB) throws before a
 * byte of payload is read or allocated.
 */
export async function receiveFrame(
  conn: Reader,
  options: FrameOptions = {},
): Promise<Uint8Array | null> {
  const max = maxFrameOf(options);
  const header = await readExactly(conn, HEADER_BYTES); // Python: recv_exactly(sock, 4)
  if (header === null) return null; // the peer closed between two frames
  const length = parseFrameHeader(header); // Python: struct.unpack('!I', header)[0]
  // TODO(05d): refuse a `length` over `max` by throwing headerOverLimit(length,
  // max), before anything of that size is allocated or read. Then read
  // exactly `length` bytes and return them; if the stream ends first, throw an
  // UnexpectedEofError. When it works, a frame arrives whole however it was
  // cut, and a header announcing 4 GiB is refused at once, with no read after
  // it: the server closes that connection and serves the next client.
  return new Uint8Array(0);
}
