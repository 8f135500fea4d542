/**
 * # Exercise 03a · Greet on connect (the reference solution)
 *
 * @module
 */

import { WELCOME } from "../../../lessons/03_tcp_hello.ts";

const encoder = new TextEncoder();

/** Serves one client: greets it, then returns. */
export async function handleHelloConnection(conn: Deno.Conn): Promise<void> {
  // Python: sock.send(b'Welcome!'). 8 bytes always fit the kernel's send
  // buffer, so one write takes them all.
  await conn.write(encoder.encode(WELCOME));
}
