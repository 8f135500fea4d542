/**
 * # Exercise 05e · A delimiter, and a line that never ends (the reference solution)
 *
 * @module
 */

import { LimitError, UnexpectedEofError } from "../../../lib/errors.ts";
import { concatBytes, type Reader } from "../../../lib/io.ts";
import { DEFAULT_MAX_LINE, NEWLINE } from "../../../lessons/05_framing/4_delimiter.ts";

/**
 * The lines arriving on `conn`, as bytes without their `\n`, until the peer
 * closes its side. A line over `maxLine` bytes throws {@linkcode LimitError};
 * a last line without its `\n` throws {@linkcode UnexpectedEofError}.
 */
export async function* receiveLines(
  conn: Reader,
  maxLine = DEFAULT_MAX_LINE,
): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(1024);
  let pending: Uint8Array = new Uint8Array(0); // the start of a line, from earlier reads
  while (true) {
    const n = await conn.read(buffer); // Python: data = sock.recv(1024)
    if (n === null) break;
    pending = concatBytes([pending, buffer.subarray(0, n)]); // Python: buffer += data
    // Python: while b'\n' in buffer: line, buffer = buffer.split(b'\n', 1)
    for (let end; (end = pending.indexOf(NEWLINE)) !== -1; pending = pending.subarray(end + 1)) {
      if (end > maxLine) throw new LimitError(`a line longer than ${maxLine} bytes arrived`);
      yield pending.slice(0, end);
    }
    if (pending.length > maxLine) {
      throw new LimitError(`a line longer than ${maxLine} bytes arrived without "\\n"`);
    }
  }
  if (pending.length > 0) {
    throw new UnexpectedEofError(`the stream ended inside a line (${pending.length} bytes)`);
  }
}
