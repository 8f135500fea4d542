/**
 * # Exercise 01b · Cut the head at the first empty line, however the reads fall (the reference solution)
 *
 * @module
 */

import { LimitError, UnexpectedEofError } from "../../../lib/errors.ts";
import { type CutHead, HEAD_END, type ReadHeadOptions } from "../../../lib/http_head.ts";
import { indexOf, type Reader } from "../../../lib/io.ts";

/**
 * Reads until the empty line: the head without it, and the bytes after it.
 * `null` if the stream ended before its first byte.
 */
export async function readHead(reader: Reader, options: ReadHeadOptions): Promise<CutHead | null> {
  const buffer = new Uint8Array(options.maxBytes); // never more than the limit
  let end = 0; // buffer[0, end) holds what has been read so far
  while (true) {
    if (end === buffer.length) {
      throw new LimitError(`the ${options.what} head is longer than ${options.maxBytes} bytes`);
    }
    // Python: d = s.recv(...), but into the free end of the buffer
    const n = await reader.read(buffer.subarray(end));
    if (n === null) {
      if (end === 0) return null;
      throw new UnexpectedEofError(
        `the connection closed after ${end} bytes of the ${options.what} head`,
      );
    }
    // \r\n\r\n may have begun in the previous read: search from 3 bytes back.
    const from = Math.max(0, end - (HEAD_END.length - 1));
    end += n;
    const at = indexOf(buffer.subarray(0, end), HEAD_END, from);
    if (at !== -1) {
      return { head: buffer.slice(0, at), rest: buffer.slice(at + HEAD_END.length, end) };
    }
  }
}
