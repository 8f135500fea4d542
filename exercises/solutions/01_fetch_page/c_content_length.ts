/**
 * # Exercise 01c · Honour Content-Length: that many bytes, not one more (the reference solution)
 *
 * @module
 */

import { LimitError, UnexpectedEofError } from "../../../lib/errors.ts";
import type { Reader } from "../../../lib/io.ts";

/** Reads a body of exactly `length` bytes (`Content-Length`) and stops there. */
export async function readLengthBody(
  reader: Reader,
  length: number,
  maxBytes: number,
): Promise<Uint8Array> {
  // The number comes from the server: refuse it before allocating, or
  // `Content-Length: 4294967296` would cost 4 GiB (exercise 01e says more).
  if (length > maxBytes) {
    throw new LimitError(
      `the body is ${length} bytes (Content-Length), over the limit of ${maxBytes}`,
      "raise --max-bytes to save it",
    );
  }
  const body = new Uint8Array(length);
  let got = 0;
  // Each read goes into the part still missing, so it cannot take a byte more.
  while (got < length) {
    const n = await reader.read(body.subarray(got));
    if (n === null) {
      throw new UnexpectedEofError(
        `the body was cut off after ${got} of ${length} bytes (Content-Length)`,
        "the connection closed early; try again",
      );
    }
    got += n;
  }
  return body;
}
