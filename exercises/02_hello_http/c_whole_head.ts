/**
 * # Exercise 02c · Read the whole request head, and no more than 16 KiB of it
 *
 * Lesson 02, part 3 ("What the tutorial leaves out"). The tutorial reads a
 * request with one `c.recv(1024)`: what has arrived so far, at most 1024
 * bytes. A head that comes in pieces, or one over 1 KiB (cookies, a long
 * User-Agent), is cut short. Read until the empty line that ends the head
 * instead; but a client that never sends it must not fill the server's
 * memory, so stop at `maxBytes`: the handler below then answers 431.
 *
 * Check it:  deno task verify 02c        Stuck?  deno task hint 02c
 *
 * @module
 */

import {
  type Answer,
  answerRequest,
  DEFAULT_MAX_HEAD_BYTES,
  errorAnswer,
  errorStatus,
  type HttpHelloServerOptions,
} from "../../lessons/02_hello_http.ts";
import { LessonError, LimitError } from "../../lib/errors.ts";
import { HEAD_END } from "../../lib/http_head.ts";
import { parseRequestHead } from "../../lib/http_message.ts";
import { indexOf, writeAll } from "../../lib/io.ts";
import { shutdownAndDrain } from "../../lib/linger.ts";

/** The request head without its empty line; `null` if the client closed its side before it. */
async function readRequestHead(conn: Deno.Conn, maxBytes: number): Promise<Uint8Array | null> {
  const buffer = new Uint8Array(maxBytes);
  // TODO(02c): read into `buffer` until what came holds HEAD_END (\r\n\r\n),
  // which TCP may cut anywhere, and return the bytes before it. Once the
  // buffer is full without it, throw a LimitError. When it works, a head
  // sent one byte at a time gets the page, so does one with a 1.5 KB
  // User-Agent, a head of exactly maxBytes (HEAD_END included) is served,
  // and one byte more gets `431 Request Header Fields Too Large`.
  const n = await conn.read(buffer.subarray(0, 1024)); // the tutorial's recv(1024)
  if (n === null) return null;
  const at = indexOf(buffer.subarray(0, n), HEAD_END);
  return buffer.subarray(0, at === -1 ? n : at);
}

/** One client: its request head, the answer, then a close without a reset. */
export async function handleHttpConnection(
  conn: Deno.Conn,
  options: HttpHelloServerOptions = {},
): Promise<void> {
  let answer: Answer;
  try {
    const head = await readRequestHead(conn, options.maxHeadBytes ?? DEFAULT_MAX_HEAD_BYTES);
    if (head === null) return; // closed before its head ended (a spare connection): no answer
    answer = answerRequest(parseRequestHead(head));
  } catch (err) {
    // A LimitError gets 431, a request that is not HTTP 400 (answers.ts).
    const status = errorStatus(err);
    if (status === undefined || !(err instanceof LessonError)) throw err;
    answer = errorAnswer(status, err.message);
  }
  await writeAll(conn, answer.bytes);
  await shutdownAndDrain(conn); // the close that is not a reset: exercise 02e
}
