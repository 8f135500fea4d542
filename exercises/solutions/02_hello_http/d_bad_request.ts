/**
 * # Exercise 02d · A request the server cannot read still gets an answer (the reference solution)
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
import { LessonError } from "../../../lib/errors.ts";
import { checkRequestStart, readHead } from "../../../lib/http_head.ts";
import { parseRequestHead } from "../../../lib/http_message.ts";
import { writeAll } from "../../../lib/io.ts";
import { shutdownAndDrain } from "../../../lib/linger.ts";

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
    // 431 for a LimitError, 505 for another HTTP version, 400 for the rest
    // that is not HTTP; nothing for a reset, a client gone quiet, or a bug.
    const status = errorStatus(err);
    if (status === undefined || !(err instanceof LessonError)) throw err;
    answer = errorAnswer(status, err.message);
  }
  await writeAll(conn, answer.bytes);
  await shutdownAndDrain(conn); // the close that is not a reset: exercise 02e
}
