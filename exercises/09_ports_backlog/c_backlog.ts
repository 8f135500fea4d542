/**
 * # Exercise 09c · listen(5): the backlog, observed
 *
 * Lesson 09, step 4 (`lessons/09_ports_backlog/backlog.ts`). The blog post
 * «Socket概念…黏包现象» says `listen(5)` lets five clients run at once and
 * makes the sixth fail. The backlog really bounds the queue of finished
 * handshakes waiting for `accept()`; on Linux backlog + 1 fit, and the next
 * client's SYN is dropped without a word (its connect() waits; no refusal).
 *
 * Check it:  deno task verify 09c        Stuck?  deno task hint 09c
 *
 * @module
 */

import { TUTORIAL_BACKLOG } from "../../lessons/09_ports_backlog/backlog.ts";
import { HELLO_PORT } from "../../lib/hello.ts";

/** The tutorial's `bind()` and `listen(5)` on 127.0.0.1. */
export function listenLikeTheTutorial(
  port: number = HELLO_PORT,
  backlog: number = TUTORIAL_BACKLOG,
): Deno.TcpListener {
  // TODO(09c): listen on 127.0.0.1 and `port` with the tutorial's backlog,
  // `backlog`. When it works, with nobody calling accept(), backlog + 1
  // clients finish their handshake (they can even send), and the next one
  // gets no answer at all: not "connection refused", a timeout.
  throw new Error(`listenLikeTheTutorial(${port}, ${backlog}) is not written yet`);
}
