/**
 * # Exercise 02d · A request the server cannot read still gets an answer
 *
 * Lesson 02, part 3 ("What the tutorial leaves out"). Strangers' clients
 * send what the tutorial never sees: a head past the limit, `hello`, a TLS
 * handshake (someone typed https://), HTTP/2.0, a NUL byte. Reading or
 * parsing such a request throws; if the handler lets that escape, the
 * connection just closes and the browser shows "empty response". HTTP has a
 * status for each: 431, 400, 505 (`errorStatus()` in answers.ts knows which).
 *
 * Check it:  deno task verify 02d        Stuck?  deno task hint 02d
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
import { shutdownAndDrain } from "../../lib/linger.ts";

/** One client: its request head, the answer, then a close without a reset. */
export async function handleHttpConnection(
  conn: Deno.Conn,
  options: HttpHelloServerOptions = {},
): Promise<void> {
  const maxBytes = options.maxHeadBytes ?? DEFAULT_MAX_HEAD_BYTES;
  let answer: Answer;
  // TODO(02d): when reading or parsing the request throws a LessonError that
  // has a status (errorStatus), answer it with errorAnswer(status, its
  // message) instead of the page; let any other error (the client hung up,
  // a bug) go on up. When it works, `hello\r\n\r\n` gets `400 Bad Request`,
  // a TLS handshake 400 at its first bytes, HTTP/2.0 `505`, a 20 KB header
  // line `431`, each framed and followed by end of stream; the next client
  // still gets the page.
  const cut = await readHead(conn, { maxBytes, what: "request", check: checkRequestStart });
  if (cut === null) return; // closed before sending anything (a spare connection): no answer
  answer = answerRequest(parseRequestHead(cut.head));
  await writeAll(conn, answer.bytes);
  await shutdownAndDrain(conn); // the close that is not a reset: exercise 02e
}
