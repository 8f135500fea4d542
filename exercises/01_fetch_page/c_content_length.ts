/**
 * # Exercise 01c · Honour Content-Length: that many bytes, not one more
 *
 * Lesson 01, step 3 (`lessons/01_fetch_page/3_content_length.ts`). When the
 * head says `Content-Length: N`, the body is exactly N bytes: the client
 * stops there, whether the server closes the connection or keeps it open
 * for another request, and whatever it sends after them is not the page.
 *
 * Check it:  deno task verify 01c        Stuck?  deno task hint 01c
 *
 * @module
 */

import { LimitError, UnexpectedEofError } from "../../lib/errors.ts";
import type { Reader } from "../../lib/io.ts";

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
  // TODO(01c): fill `body` from `reader`, read after read, until it holds
  // `length` bytes; if the stream ends first, throw an UnexpectedEofError
  // saying how many bytes came. When it works, a server that sends bytes past
  // its Content-Length, or keeps the connection open, still gives exactly
  // `length` bytes at once, and `Content-Length: 0` needs no read at all.
  return body;
}
