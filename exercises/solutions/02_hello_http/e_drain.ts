/**
 * # Exercise 02e · Close without a reset: shut down, drain, then close (the reference solution)
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
} from "../../../lessons/02_hello_http.ts";
import { isClosedError, isPeerGoneError, LessonError } from "../../../lib/errors.ts";
import { checkRequestStart, readHead } from "../../../lib/http_head.ts";
import { parseRequestHead } from "../../../lib/http_message.ts";
import { writeAll } from "../../../lib/io.ts";

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
  // Python: while c.recv(16384): pass, after c.shutdown(socket.SHUT_WR), for at
  // most a second: then serve() closes it anyway.
  const timer = setTimeout(() => conn.close(), 1000);
  try {
    await conn.closeWrite(); // FIN after the answer: the client reads end of stream
    const scratch = new Uint8Array(16 * 1024);
    while ((await conn.read(scratch)) !== null) { /* thrown away */ }
  } catch (err) {
    // The client reset the connection, or the timer closed it: done either way.
    if (!isPeerGoneError(err) && !isClosedError(err)) throw err;
  } finally {
    clearTimeout(timer);
  }
}
