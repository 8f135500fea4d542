/**
 * # Exercise 03e · What the tutorial leaves out: limits
 *
 * Lesson 03, part 3. A server strangers can reach must not let one program
 * take every file descriptor (open connections in a loop) or hold sockets
 * for ever (connect and say nothing). `serve()` from `lib/serve.ts` is the
 * accept loop with those limits; use it.
 *
 * Check it:  deno task verify 03e        Stuck?  deno task hint 03e
 *
 * @module
 */

import {
  BUSY,
  handleHelloConnection,
  type HelloServerOptions,
} from "../../lessons/03_tcp_hello.ts";
import { refuseWith } from "../../lib/limits.ts";
import { serve, type Server } from "../../lib/serve.ts";

const encoder = new TextEncoder();

/** The hello server with limits: starts it and returns at once. */
export function startHelloServer(options: HelloServerOptions = {}): Server {
  const listener = Deno.listen({
    hostname: options.host ?? "127.0.0.1",
    port: options.port ?? 9999,
  });
  // TODO(03e): serve `listener` with handleHelloConnection(conn, options),
  // passing options.maxConnections and options.idleTimeoutMs on, and turning
  // a client over the limit away with the words BUSY. When it works, the
  // client after the limit reads `Busy: ...` and end of stream, and a client
  // that says nothing is closed after --idle-timeout-ms.
  return serve(listener, (conn) => handleHelloConnection(conn, options));
}
