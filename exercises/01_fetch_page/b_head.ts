/**
 * # Exercise 01b · Cut the head at the first empty line, however the reads fall
 *
 * Lesson 01, step 2 (`lessons/01_fetch_page/2_head.ts`, which calls this
 * function from `lib/http_head.ts`). The tutorial splits at `\r\n\r\n` after
 * reading everything. Reading the head first means reading until the bytes
 * so far hold `\r\n\r\n`, which TCP may cut anywhere, even between its
 * `\r\n` and `\r\n`; keeping the bytes after it (the start of the body); and
 * stopping at `maxBytes`, because a peer that never sends the empty line
 * must not make us read for ever.
 *
 * Check it:  deno task verify 01b        Stuck?  deno task hint 01b
 *
 * @module
 */

import { LimitError, UnexpectedEofError } from "../../lib/errors.ts";
import { type CutHead, HEAD_END, type ReadHeadOptions } from "../../lib/http_head.ts";
import { indexOf, type Reader } from "../../lib/io.ts";

/**
 * Reads until the empty line: the head without it, and the bytes after it.
 * `null` if the stream ended before its first byte.
 */
export async function readHead(reader: Reader, options: ReadHeadOptions): Promise<CutHead | null> {
  const buffer = new Uint8Array(options.maxBytes); // never more than the limit
  let end = 0; // buffer[0, end) holds what has been read so far
  // TODO(01b): read into the free end of `buffer` until buffer[0, end) holds
  // HEAD_END; return the bytes before it as `head` and those after it as
  // `rest`. If the stream ends first: null when nothing came at all, else an
  // UnexpectedEofError; if `buffer` is full without HEAD_END, a LimitError.
  // When it works, the head is found wherever the reads cut it (one byte per
  // read too), no byte of the body's start is lost, and a peer that sends an
  // endless head is refused after exactly maxBytes.
  return null;
}
