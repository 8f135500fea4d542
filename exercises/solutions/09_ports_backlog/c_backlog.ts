/**
 * # Exercise 09c · listen(5): the backlog, observed (the reference solution)
 *
 * @module
 */

import { TUTORIAL_BACKLOG } from "../../../lessons/09_ports_backlog/backlog.ts";
import { HELLO_PORT } from "../../../lib/hello.ts";

/** The tutorial's `bind()` and `listen(5)` on 127.0.0.1. */
export function listenLikeTheTutorial(
  port: number = HELLO_PORT,
  backlog: number = TUTORIAL_BACKLOG,
): Deno.TcpListener {
  // Python: s.bind(('127.0.0.1', port)); s.listen(backlog)
  return Deno.listen({ hostname: "127.0.0.1", port, tcpBacklog: backlog });
}
