/**
 * # Exercise 01e · What the tutorial leaves out: a server that sends too much (the reference solution)
 *
 * @module
 */

import { READ_SIZE } from "../../../lessons/01_fetch_page/3_content_length.ts";
import { LimitError } from "../../../lib/errors.ts";
import { concatBytes, type Reader } from "../../../lib/io.ts";

/** Reads a body that ends when the server closes the connection, at most `maxBytes` of it. */
export async function readUntilClose(reader: Reader, maxBytes: number): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  const buffer = new Uint8Array(READ_SIZE);
  let total = 0;
  // Python: while True: d = s.recv(16384); if d: buffer.append(d) else: break
  for (let n; (n = await reader.read(buffer)) !== null;) {
    total += n;
    if (total > maxBytes) {
      throw new LimitError(
        `the body is longer than ${maxBytes} bytes`,
        "raise --max-bytes to save it",
      );
    }
    pieces.push(buffer.slice(0, n));
  }
  return concatBytes(pieces);
}
