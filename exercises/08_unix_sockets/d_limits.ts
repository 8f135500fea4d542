/**
 * # Exercise 08d · What the tutorial leaves out: limits, on a socket file too
 *
 * Lesson 08, parts 1 and 4. A socket file keeps out the users its mode
 * forbids, nothing more: every program those users run may connect, open
 * connections in a loop until the server has no file descriptors left, or
 * connect and say nothing for ever. So the Unix server needs lesson 03's
 * limits as much as the TCP one; `serve()` from `lib/serve.ts` has them.
 *
 * Check it:  deno task verify 08d        Stuck?  deno task hint 08d
 *
 * @module
 */

import { BUSY, handleHelloConnection } from "../../lessons/03_tcp_hello.ts";
import type { UnixHelloServerOptions } from "../../lessons/08_unix_sockets.ts";
import { refuseWith } from "../../lib/limits.ts";
import { serve, type Server } from "../../lib/serve.ts";

const encoder = new TextEncoder();

/** Serves lesson 03's hello protocol on a Unix listener, with limits. */
export function serveHello(
  listener: Deno.UnixListener,
  options: UnixHelloServerOptions = {},
): Server<Deno.UnixAddr> {
  // TODO(08d): pass options.maxConnections and options.idleTimeoutMs on to
  // serve(), and turn a client over the limit away with the words BUSY.
  // When it works, the client after the limit reads `Busy: ...` and end of
  // stream, and a client that says nothing is closed after the idle timeout.
  return serve(listener, (conn) => handleHelloConnection(conn, options), {
    log: options.log,
    endReadsOnClose: true, // on close(), idle clients are let go at once
  });
}
