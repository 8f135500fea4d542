/**
 * # Exercise 02a · The tutorial's server: accept, read, answer, close
 *
 * Lesson 02, part 1 (`lessons/02_hello_http.ts`). The tutorial's
 * `while True:` loop serves one browser after another: accept a connection,
 * read the request once (`c.recv(1024)`), print it, send the answer, close.
 * Its answer says nothing about its length, so the close is what tells the
 * browser that the page is complete.
 *
 * Check it:  deno task verify 02a        Stuck?  deno task hint 02a
 *
 * @module
 */

import { TUTORIAL_ANSWER } from "../../lessons/02_hello_http.ts";
import { writeAll } from "../../lib/io.ts";
import { type Log, silent } from "../../lib/log.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Serves one client after another; returns once `listener` is closed. */
export async function serveLikeTheTutorial(
  listener: Deno.TcpListener,
  log: Log = silent,
): Promise<void> {
  // TODO(02a): for each connection `listener` accepts: read the request once
  // (at most 1024 bytes), log each of its lines (they end in \r\n), send
  // TUTORIAL_ANSWER, and close the connection. Return when the listener is
  // closed. When it works, a client reads exactly the tutorial's bytes and
  // then end of stream, the log shows `GET / HTTP/1.1`, `Host: ...` line by
  // line as print(data) does, and a second client is served after the first.
}
