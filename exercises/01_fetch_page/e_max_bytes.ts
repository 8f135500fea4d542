/**
 * # Exercise 01e · What the tutorial leaves out: a server that sends too much
 *
 * Lesson 01, part 3 (`lessons/01_fetch_page.ts`, "What the tutorial leaves
 * out") and step 3. A body with neither Content-Length nor chunks ends when
 * the server closes: the tutorial's own loop, written below. It keeps
 * whatever comes, so a server that sends for ever takes all the memory. The
 * server decides how much it sends; the client decides how much it keeps
 * (`deno task 01 URL --max-bytes N`).
 *
 * Check it:  deno task verify 01e        Stuck?  deno task hint 01e
 *
 * @module
 */

import { READ_SIZE } from "../../lessons/01_fetch_page/3_content_length.ts";
import { LimitError } from "../../lib/errors.ts";
import { concatBytes, type Reader } from "../../lib/io.ts";

/** Reads a body that ends when the server closes the connection, at most `maxBytes` of it. */
export async function readUntilClose(reader: Reader, maxBytes: number): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  const buffer = new Uint8Array(READ_SIZE);
  // TODO(01e): count the bytes as they come, and once they pass maxBytes
  // throw a LimitError that names the limit, and read no further. When it
  // works, a body of exactly maxBytes is still saved, one byte more is
  // refused, and a server with megabytes left to send is cut off after at
  // most one read past the limit.
  // Python: while True: d = s.recv(16384); if d: buffer.append(d) else: break
  for (let n; (n = await reader.read(buffer)) !== null;) pieces.push(buffer.slice(0, n));
  return concatBytes(pieces);
}
