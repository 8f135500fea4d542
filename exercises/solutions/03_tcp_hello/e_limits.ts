/**
 * # Exercise 03e · What the tutorial leaves out: limits (the reference solution)
 *
 * @module
 */

import {
  BUSY,
  handleHelloConnection,
  type HelloServerOptions,
} from "../../../lessons/03_tcp_hello.ts";
import { refuseWith } from "../../../lib/limits.ts";
import { serve, type Server } from "../../../lib/serve.ts";

const encoder = new TextEncoder();

/** The hello server with limits: starts it and returns at once. */
export function startHelloServer(options: HelloServerOptions = {}): Server {
  const listener = Deno.listen({
    hostname: options.host ?? "127.0.0.1",
    port: options.port ?? 9999,
  });
  return serve(listener, (conn) => handleHelloConnection(conn, options), {
    log: options.log,
    maxConnections: options.maxConnections,
    idleTimeoutMs: options.idleTimeoutMs,
    refuse: refuseWith(encoder.encode(BUSY)),
  });
}
