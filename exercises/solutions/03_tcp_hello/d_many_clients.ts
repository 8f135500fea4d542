/**
 * # Exercise 03d · Three slow clients at once (the reference solution)
 *
 * @module
 */

import { handleHelloConnection, type HelloOptions } from "../../../lessons/03_tcp_hello.ts";

/** Accepts clients until the listener is closed, serving them all at once. */
export async function acceptLikeTheTutorial(
  listener: Deno.TcpListener,
  options: HelloOptions = {},
): Promise<void> {
  const open = new Set<Promise<void>>();
  for await (const conn of listener) {
    // Not awaited: the loop is back in accept() at once.
    const handler = handleHelloConnection(conn, options)
      .catch(() => {})
      .finally(() => (conn.close(), open.delete(handler)));
    open.add(handler);
  }
  await Promise.all(open);
}
