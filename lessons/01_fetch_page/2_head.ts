/**
 * # 01 · Step 2: cutting the head off the answer
 *
 * The tutorial reads everything until the server closes, then splits once:
 *
 *     header, html = data.split(b'\r\n\r\n', 1)
 *
 * That works only because it waits for the close. This lesson reads the head
 * first, up to the same empty line, because the head says how to read the
 * rest: how long the body is (step 3), or that it comes in chunks (step 4).
 *
 *     HTTP/1.1 200 OK\r\n                  ← status line: version, code, reason
 *     Content-Type: text/html\r\n          ← fields, `Name: value`
 *     Content-Length: 12\r\n
 *     \r\n                                 ← the empty line: the head ends here
 *     <h1>Hi</h1>\n                        ← the body
 *
 * TCP hands us bytes, not the server's writes: the empty line may arrive in
 * the middle of a read, so the bytes after it are the start of the body and
 * are handed on, not dropped; it may also be cut between two reads.
 *
 * @module
 */

import { ProtocolError } from "../../lib/errors.ts";
import { checkResponseStart, readHead } from "../../lib/http_head.ts";
import { parseResponseHead, type ResponseHead } from "../../lib/http_message.ts";
import type { Reader } from "../../lib/io.ts";

/** The longest response head accepted: 64 KiB (real heads are under 8 KiB). */
export const MAX_HEAD_BYTES = 64 * 1024;

/**
 * Reads the response head from `conn` and returns it, parsed, with a reader
 * for the body: the bytes that came after the empty line, then the rest of
 * the connection. `where` names the server in error messages.
 *
 * @example A head cut in two reads, the body's start in the second
 * ```ts
 * import { readResponseHead } from "./2_head.ts";
 * import assert from "node:assert/strict";
 *
 * const reads = ["HTTP/1.1 200 OK\r\nContent-Le", "ngth: 5\r\n\r\nHel", "lo"];
 * const conn = {
 *   read(p: Uint8Array) {
 *     const next = reads.shift();
 *     return Promise.resolve(next === undefined ? null : new TextEncoder().encodeInto(next, p).written);
 *   },
 * };
 * const { head, body } = await readResponseHead(conn, "example.com:80");
 * assert.equal(head.status, 200);
 * const p = new Uint8Array(16);
 * assert.equal(new TextDecoder().decode(p.subarray(0, (await body.read(p))!)), "Hel");
 * ```
 */
export async function readResponseHead(
  conn: Reader,
  where: string,
  tls = false,
): Promise<{ head: ResponseHead; body: Reader }> {
  let body = conn;
  while (true) {
    // Read until \r\n\r\n, at most MAX_HEAD_BYTES; give up at the first
    // byte that cannot start an answer ("SSH-2.0..." is not "HTTP/").
    const cut = await readHead(body, {
      maxBytes: MAX_HEAD_BYTES,
      what: "response",
      check: checkResponseStart,
    });
    if (cut === null) {
      throw new ProtocolError(
        `${where} closed the connection without answering`,
        tls ? "is it an https server?" : "is it an http server? for https, write https://",
      );
    }
    // "HTTP/1.1 200 OK", then one field per line.
    const head = parseResponseHead(cut.head);
    // The bytes after the empty line arrived with the head: put them back.
    body = unread(body, cut.rest);
    // A 1xx head (103 Early Hints) is a preview: the real answer follows.
    if (head.status < 100 || head.status >= 200) return { head, body };
  }
}

/** A reader that first hands out `bytes`, then reads from `reader`. */
export function unread(reader: Reader, bytes: Uint8Array): Reader {
  let pending = bytes;
  return {
    read(p) {
      if (pending.length === 0) return reader.read(p);
      const n = Math.min(p.length, pending.length);
      p.set(pending.subarray(0, n));
      pending = pending.subarray(n);
      return Promise.resolve(n);
    },
  };
}
