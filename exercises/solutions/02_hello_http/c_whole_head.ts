/**
 * # Exercise 02c · Read the whole request head, and no more than 16 KiB of it (the reference solution)
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
import { LessonError, LimitError } from "../../../lib/errors.ts";
import { HEAD_END } from "../../../lib/http_head.ts";
import { parseRequestHead } from "../../../lib/http_message.ts";
import { indexOf, writeAll } from "../../../lib/io.ts";
import { shutdownAndDrain } from "../../../lib/linger.ts";

/** The request head without its empty line; `null` if the client closed its side before it. */
async function readRequestHead(conn: Deno.Conn, maxBytes: number): Promise<Uint8Array | null> {
  const buffer = new Uint8Array(maxBytes);
  let end = 0; // buffer[0, end) is what came so far
  while (end < buffer.length) {
    // Python: d = c.recv(...), but into the free end of the buffer.
    const n = await conn.read(buffer.subarray(end));
    if (n === null) return null; // a spare connection, or a client that gave up mid-head
    // HEAD_END may be cut between two reads: look from 3 bytes before the new ones.
    const from = Math.max(0, end - (HEAD_END.length - 1));
    end += n;
    const at = indexOf(buffer.subarray(0, end), HEAD_END, from);
    if (at !== -1) return buffer.subarray(0, at);
  }
  throw new LimitError(`the request head is longer than ${maxBytes} bytes`, "send a shorter head");
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
