/**
 * # 09 · Step 3: TIME_WAIT, and what SO_REUSEADDR really allows
 *
 * The blog post «Socket概念…黏包现象» says a restarted server may find its
 * port "not yet released", and fixes it with
 * `setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)`. What holds the port is the old
 * connection in TIME_WAIT: the side that closes first keeps it for 2×MSL
 * (RFC 9293 §3.6.1; 60 s on Linux, fixed, not `tcp_fin_timeout`), for two
 * reasons:
 *
 * 1. to close reliably: if its last ACK is lost, the peer sends its FIN
 *    again, and TIME_WAIT is still there to acknowledge it (without it the
 *    answer would be a reset, and the peer would report an error);
 * 2. to let old duplicate segments of this connection die out in the
 *    network before a new connection with the same addresses and ports
 *    could take them for its own data.
 *
 * `SO_REUSEADDR` lets `bind()` succeed past a TIME_WAIT socket on the port
 * only if BOTH sockets set it: the new one and the one that went into
 * TIME_WAIT. Deno sets it on every listener (not on Windows, where it would
 * let another program steal a port), so a Deno server restarts at once
 * after a Deno server. After a Python server that did not set it, or on a
 * port a client connection used (clients do not set it), the bind still
 * fails: the second function shows it.
 *
 * Run alone: deno run --allow-net=127.0.0.1 --allow-run=ss lessons/09_ports_backlog/time_wait.ts
 *
 * @module
 */

import { bindOutcome, tcpSocketsOnPort } from "./kernel.ts";

/** What a new listener found on a port that a closed connection used. */
export interface Rebind {
  /** The port. */
  port: number;
  /** Sockets on that port in TIME-WAIT as the new listener bound (undefined: ss not allowed). */
  timeWait: number | undefined;
  /** `bound`, or Deno's error. */
  outcome: string;
}

/**
 * A server accepts a connection and hangs up first, then stops; a new
 * server binds the same port at once. The server's side is in TIME_WAIT,
 * but that socket had `SO_REUSEADDR` (Deno set it), and so does the new one.
 */
export async function restartAfterClose(): Promise<Rebind> {
  let port: number;
  {
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    port = listener.addr.port;
    using client = await Deno.connect({ hostname: "127.0.0.1", port });
    // Python: conn.close(), the server first: it sends FIN, and once the
    // client's FIN comes back, the server's side enters TIME_WAIT.
    (await listener.accept()).close();
    await client.read(new Uint8Array(1)); // null: the client sees the server's FIN
  } // the client closes, then the listener: the server has "stopped"
  return await rebind(port);
}

/**
 * A client connects and hangs up first, so the TIME_WAIT is on the
 * client's side, on the ephemeral port the kernel gave it. A server then
 * tries to listen on that port: refused, although nothing is listening or
 * connected there, because the client's socket never set `SO_REUSEADDR`.
 */
export async function listenWhereAClientWas(): Promise<Rebind> {
  let port: number;
  {
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
    using accepted = await listener.accept();
    port = client.localAddr.port;
    client.close(); // the client first: its side goes into TIME_WAIT
    await accepted.read(new Uint8Array(1)); // null: the server sees the client's FIN
  }
  return await rebind(port);
}

/** Counts the TIME-WAIT sockets on `port`, then tries a listener there. */
async function rebind(port: number): Promise<Rebind> {
  // Python: os.system(f"ss -tan sport = :{port}")
  const timeWait = (await tcpSocketsOnPort(port))?.filter((s) => s.state === "TIME-WAIT").length;
  // Python: s.bind(('127.0.0.1', port)); s.listen()
  return {
    port,
    timeWait,
    outcome: bindOutcome(() => Deno.listen({ hostname: "127.0.0.1", port })),
  };
}

if (import.meta.main) {
  console.log("a server restarted:", await restartAfterClose());
  console.log("a server where a client was:", await listenWhereAClientWas());
}
