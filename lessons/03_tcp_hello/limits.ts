/**
 * # 03 · What the tutorial leaves out: limits
 *
 * The tutorial's accept loop (part 1 of `lessons/03_tcp_hello.ts`) trusts
 * every client. This is the server `deno task 03 server` runs: the same
 * handler, served by `serve()` from `lib/serve.ts`, which is that loop with
 * three things added. Every later lesson's server uses it.
 *
 * Run it:  deno task 03 server --max-connections 2 --idle-timeout-ms 10000
 *
 * @module
 */

import { describeAddr } from "../../lib/addr.ts";
import { HELLO_PORT } from "../../lib/hello.ts";
import { refuseWith } from "../../lib/limits.ts";
import { serve, type Server } from "../../lib/serve.ts";
import { handleHelloConnection, type HelloOptions } from "../03_tcp_hello.ts";

const encoder = new TextEncoder();

// The loop in part 1 trusts every client. A server that strangers reach needs
// three more things, and lib/serve.ts is that loop with them added (every
// later lesson uses it):
// - a limit on open connections: each costs a file descriptor (`ulimit -n`);
//   past the limit a client reads `Busy: ...` where it expects `Welcome!`;
// - an idle timeout: a client that connects and says nothing, or whose
//   machine died (no FIN, no RST: a half-open connection), keeps a read
//   waiting for ever. TCP keepalive (`conn.setKeepAlive(true)`) would notice
//   a dead peer only after net.ipv4.tcp_keepalive_time, 2 hours by default
//   (tcp(7)), and never a live one that is silent; so the server closes a
//   connection idle for 5 minutes (--idle-timeout-ms);
// - a graceful close: on Ctrl+C, stop accepting and let each conversation
//   finish its reply (--grace-ms).

/** What a client gets instead of `Welcome!` when `--max-connections` are already open. */
export const BUSY = "Busy: too many connections. Try again later.";

/** Options for {@linkcode startHelloServer}. */
export interface HelloServerOptions extends HelloOptions {
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** Port to bind. Default 9999; 0 for any free port. */
  port?: number;
  /** At most this many clients at once (default 1,000). */
  maxConnections?: number;
  /** Close a connection silent for this long (default 5 minutes; 0: never). */
  idleTimeoutMs?: number;
}

/** The hello server with the limits above: starts it and returns at once. */
export function startHelloServer(options: HelloServerOptions = {}): Server {
  const listener = Deno.listen({
    hostname: options.host ?? "127.0.0.1",
    port: options.port ?? HELLO_PORT,
  });
  options.log?.(`Listening on ${describeAddr(listener.addr)}. Waiting for connection...`);
  return serve(listener, (conn) => handleHelloConnection(conn, options), {
    log: options.log,
    maxConnections: options.maxConnections,
    idleTimeoutMs: options.idleTimeoutMs,
    refuse: refuseWith(encoder.encode(BUSY)),
    endReadsOnClose: true, // on close(graceMs), a reply being written is finished first
  });
}
