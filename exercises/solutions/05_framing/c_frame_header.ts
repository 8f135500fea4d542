/**
 * # Exercise 05c · The length prefix: struct.pack('!I', n) and back (the reference solution)
 *
 * @module
 */

import { HEADER_BYTES, MAX_HEADER_LENGTH } from "../../../lessons/05_framing/3_length_prefix.ts";

/** The 4 header bytes for a payload of `length` bytes: Python's `struct.pack('!I', length)`. */
export function frameHeader(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > MAX_HEADER_LENGTH) {
    throw new RangeError(`a frame length must be from 0 to ${MAX_HEADER_LENGTH}, got ${length}`);
  }
  const header = new Uint8Array(HEADER_BYTES);
  // A DataView writes big-endian unless told otherwise: Python's '!'.
  new DataView(header.buffer).setUint32(0, length);
  return header;
}

/** Python's `struct.unpack('!I', bytes[offset:offset + 4])[0]`. */
export function parseFrameHeader(bytes: Uint8Array, offset = 0): number {
  // `bytes` may be a view into a larger buffer: the DataView starts where it does.
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(offset);
}
