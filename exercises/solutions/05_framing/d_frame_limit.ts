/**
 * # Exercise 05d · What the tutorial leaves out: a 4 GiB header (the reference solution)
 *
 * @module
 */

import type { Reader } from "../../../lib/io.ts";
import {
  type FrameOptions,
  HEADER_BYTES,
  headerOverLimit,
  maxFrameOf,
  parseFrameHeader,
  readExactly,
} from "../../../lessons/05_framing/3_length_prefix.ts";
import { UnexpectedEofError } from "../../../lib/errors.ts";

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
  if (length > max) throw headerOverLimit(length, max); // before the payload's buffer exists
  const payload = await readExactly(conn, length); // Python: recv_exactly(sock, n)
  if (payload === null) {
    throw new UnexpectedEofError(
      `the stream ended after a frame header announcing ${length} bytes`,
      "the peer closed the connection in the middle of a message",
    );
  }
  return payload;
}
