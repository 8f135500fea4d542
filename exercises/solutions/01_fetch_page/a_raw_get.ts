/**
 * # Exercise 01a · The tutorial's client: a raw GET, read until the close (the reference solution)
 *
 * @module
 */

import { ProtocolError } from "../../../lib/errors.ts";
import { HEAD_END } from "../../../lib/http_head.ts";
import { concatBytes, indexOf, writeAll } from "../../../lib/io.ts";

/** Sends `request` to host:port and keeps everything until the server closes. */
export async function fetchLikeTheTutorial(
  options: { host?: string; port: number; request: string },
): Promise<{ header: string; html: Uint8Array }> {
  const buffer: Uint8Array[] = [];
  // Python: s.connect(('www.sina.com.cn', 80))
  using s = await Deno.connect({ hostname: options.host ?? "127.0.0.1", port: options.port });
  // Python: s.send(b'GET / HTTP/1.1\r\n...'), all of it, as sendall() would
  await writeAll(s, new TextEncoder().encode(options.request));
  const d = new Uint8Array(1024);
  while (true) {
    const n = await s.read(d); // Python: d = s.recv(1024)
    if (n === null) break; // Python: b'': the server closed
    buffer.push(d.slice(0, n)); // a copy of the n bytes: `d` is reused by the next read
  }

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
