/**
 * # Exercise 09a · Hold a port, or share it with reusePort
 *
 * Lesson 09, step 1 (`lessons/09_ports_backlog/port_in_use.ts`). Liao
 * Xuefeng's «TCP编程» says a port bound by one socket cannot be bound by
 * another. True, unless every listener on it asks for `SO_REUSEPORT`
 * (Python: `s.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1)` before `bind()`):
 * then the kernel shares the port and spreads new connections over them.
 * `deno task 09 bind` holds a port with this function.
 *
 * Check it:  deno task verify 09a        Stuck?  deno task hint 09a
 *
 * @module
 */

import { serve, type Server } from "../../lib/serve.ts";

/** Holds a port until closed: accepts each connection and hangs up. */
export function holdPort(
  options: { host: string; port: number; reusePort?: boolean },
): Server {
  // TODO(09a): listen on options.host and options.port, asking for
  // SO_REUSEPORT when options.reusePort says so, and serve() the listener
  // with a handler that does nothing (the server then hangs up). When it
  // works, two holdPort() with reusePort share one port, a third without
  // it gets AddrInUse, and each client reads end of stream at once.
  throw new Error(`holdPort(${options.host}:${options.port}) is not written yet`);
}
