/**
 * # Exercise 03d · Three slow clients at once
 *
 * Lesson 03, part 1. The tutorial starts a thread per client so that one
 * slow client (its `time.sleep(1)`) does not hold up the others. In Deno,
 * the accept loop starts each client's handler and does not wait for it.
 *
 * Check it:  deno task verify 03d        Stuck?  deno task hint 03d
 *
 * @module
 */

import { handleHelloConnection, type HelloOptions } from "../../lessons/03_tcp_hello.ts";

/** Accepts clients until the listener is closed, serving them all at once. */
export async function acceptLikeTheTutorial(
  listener: Deno.TcpListener,
  options: HelloOptions = {},
): Promise<void> {
  // TODO(03d): accept connections until the listener closes; serve each with
  // handleHelloConnection(conn, options) WITHOUT awaiting it, and close the
  // connection when its handler is done. When it works, three clients of a
  // server that sleeps after every read are all inside the sleep at once.
}
