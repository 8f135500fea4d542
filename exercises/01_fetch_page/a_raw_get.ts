/**
 * # Exercise 01a · The tutorial's client: a raw GET, read until the close
 *
 * Lesson 01, part 1 (`lessons/01_fetch_page.ts`). Liao Xuefeng's «TCP编程»
 * fetches a page with a bare socket: connect, send the request's bytes, call
 * `recv()` until it returns `b''` (the server closed the connection), then
 * split what came at the first empty line. The split is written below; the
 * socket calls are yours.
 *
 * Check it:  deno task verify 01a        Stuck?  deno task hint 01a
 *
 * @module
 */

import { ProtocolError } from "../../lib/errors.ts";
import { HEAD_END } from "../../lib/http_head.ts";
import { concatBytes, indexOf } from "../../lib/io.ts";

/** Sends `request` to host:port and keeps everything until the server closes. */
export async function fetchLikeTheTutorial(
  options: { host?: string; port: number; request: string },
): Promise<{ header: string; html: Uint8Array }> {
  const buffer: Uint8Array[] = [];
  // TODO(01a): connect to options.host (127.0.0.1 when not given) and
  // options.port, send every byte of options.request, then read until the
  // server closes the connection, pushing each read's bytes onto `buffer`;
  // close the connection at the end. When it works, a page that takes many
  // reads arrives byte for byte, and the call returns the moment the server
  // hangs up (not before: an HTTP/1.1 server that keeps the connection open
  // makes it wait).

  // Python: data = b''.join(buffer)
  const data = concatBytes(buffer);
  // Python: header, html = data.split(b'\r\n\r\n', 1)
  const at = indexOf(data, HEAD_END);
  if (at === -1) throw new ProtocolError(`no \\r\\n\\r\\n in the ${data.length} bytes received`);
  return {
    header: new TextDecoder().decode(data.subarray(0, at)),
    html: data.subarray(at + HEAD_END.length),
  };
}
