/**
 * # Exercise 08d · What the tutorial leaves out: limits, on a socket file too (the reference solution)
 *
 * @module
 */

import { BUSY, handleHelloConnection } from "../../../lessons/03_tcp_hello.ts";
import type { UnixHelloServerOptions } from "../../../lessons/08_unix_sockets.ts";
import { refuseWith } from "../../../lib/limits.ts";
import { serve, type Server } from "../../../lib/serve.ts";

const encoder = new TextEncoder();

/** Serves lesson 03's hello protocol on a Unix listener, with limits. */
export function serveHello(
  listener: Deno.UnixListener,
  options: UnixHelloServerOptions = {},
): Server<Deno.UnixAddr> {
  return serve(listener, (conn) => handleHelloConnection(conn, options), {
    log: options.log,
    maxConnections: options.maxConnections,
    idleTimeoutMs: options.idleTimeoutMs,
    refuse: refuseWith(encoder.encode(BUSY)),
    endReadsOnClose: true, // on close(), idle clients are let go at once
  });
}
