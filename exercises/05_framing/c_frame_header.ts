/**
 * # Exercise 05c · The length prefix: struct.pack('!I', n) and back
 *
 * Lesson 05, step 3 (`lessons/05_framing/3_length_prefix.ts`). A frame is a
 * 4-byte header holding the payload's length, then the payload. Python
 * writes the header with `struct.pack('!I', n)`: `!` is network byte order
 * (big-endian: the most significant byte first), `I` an unsigned 32-bit
 * integer. So 5 is `00 00 00 05`, and 102,400 is `00 01 90 00`. The
 * receiver turns the 4 bytes back into the number: `struct.unpack('!I', b)`.
 *
 * Check it:  deno task verify 05c        Stuck?  deno task hint 05c
 *
 * @module
 */

import { HEADER_BYTES, MAX_HEADER_LENGTH } from "../../lessons/05_framing/3_length_prefix.ts";

/** The 4 header bytes for a payload of `length` bytes: Python's `struct.pack('!I', length)`. */
export function frameHeader(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > MAX_HEADER_LENGTH) {
    throw new RangeError(`a frame length must be from 0 to ${MAX_HEADER_LENGTH}, got ${length}`);
  }
  const header = new Uint8Array(HEADER_BYTES);
  // TODO(05c): put `length` into `header`, most significant byte first; and
  // in parseFrameHeader below, the reverse: the 4 bytes at `offset` back
  // into a number, never negative. When it works, frameHeader(5) is
  // [0, 0, 0, 5], parseFrameHeader([0x80, 0, 0, 1]) is 2147483649, and every
  // n from 0 to 4 GiB - 1 survives the round trip.
  return header;
}

/** Python's `struct.unpack('!I', bytes[offset:offset + 4])[0]`. */
export function parseFrameHeader(bytes: Uint8Array, offset = 0): number {
  return bytes.length - offset - HEADER_BYTES; // not yet: the reverse of frameHeader (above)
}
