/**
 * # Exercise 03a · Greet on connect
 *
 * Lesson 03, part 1 (`lessons/03_tcp_hello.ts`). The tutorial's server
 * speaks first: the moment a client connects, before it says anything, the
 * server sends the 8 bytes `Welcome!`. This handler does only that; the
 * server closes the connection when it returns.
 *
 * Check it:  deno task verify 03a        Stuck?  deno task hint 03a
 *
 * @module
 */

import { WELCOME } from "../../lessons/03_tcp_hello.ts";

const encoder = new TextEncoder();

/** Serves one client: greets it, then returns. */
export async function handleHelloConnection(conn: Deno.Conn): Promise<void> {
  // TODO(03a): send WELCOME to the client, as UTF-8 bytes, as soon as it is
  // connected. When it works, the check's client reads exactly `Welcome!`
  // (8 bytes) and then end of stream, without sending anything first.
}
