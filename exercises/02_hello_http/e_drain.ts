/**
 * # Exercise 02e · Close without a reset: shut down, drain, then close
 *
 * Lesson 02, part 3 (`lessons/02_hello_http/closing.ts` measures it). A
 * server that answers before reading the whole request (a 405 to a POST
 * whose body it won't read, a 431) closes while the client is still
 * sending. A socket closed with input unread is not closed politely: the
 * kernel resets the connection (RST). The client's upload fails, and what of
 * the answer is still unsent is lost. So: end your side first, read away
 * what still comes, and only then close.
 *
 * Check it:  deno task verify 02e        Stuck?  deno task hint 02e
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
import { LessonError } from "../../lib/errors.ts";
import { checkRequestStart, readHead } from "../../lib/http_head.ts";
import { parseRequestHead } from "../../lib/http_message.ts";
import { writeAll } from "../../lib/io.ts";

/** One client: its request head, the answer, then a close without a reset. */
export async function handleHttpConnection(
  conn: Deno.Conn,
  options: HttpHelloServerOptions = {},
): Promise<void> {
  const maxBytes = options.maxHeadBytes ?? DEFAULT_MAX_HEAD_BYTES;
  let answer: Answer;
  try {
    const cut = await readHead(conn, { maxBytes, what: "request", check: checkRequestStart });
    if (cut === null) return; // closed before sending anything (a spare connection): no answer
    answer = answerRequest(parseRequestHead(cut.head));
  } catch (err) {
    const status = errorStatus(err); // 431, 505, 400 (exercise 02d)
    if (status === undefined || !(err instanceof LessonError)) throw err;
    answer = errorAnswer(status, err.message);
  }
  await writeAll(conn, answer.bytes);
  // TODO(02e): serve() closes `conn` as soon as this returns. Before that,
  // shut down your sending side (Python: c.shutdown(socket.SHUT_WR)), then
  // read and throw away whatever the client still sends until it closes its
  // side too, but for no longer than a second. When it works, a client still
  // uploading a POST body reads the 405, then end of stream, and the rest of
  // its upload goes through instead of failing with a reset.
}
