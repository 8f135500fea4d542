/**
 * # 09 · Step 1: which ports a server may bind
 *
 * Liao Xuefeng's «TCP编程» says a port bound by one socket cannot be bound
 * by another, and (with Ting-light's cnblogs post and 呆贝斯's notes) that
 * ports under 1024 need administrator rights while those above can be used
 * freely. Each is true only in part:
 *
 * - "Taken" means: same protocol, overlapping address, and no
 *   `SO_REUSEPORT`. 127.0.0.1:P and 127.0.0.2:P are two addresses; a
 *   wildcard (0.0.0.0, or :: which on Linux covers IPv4 too) overlaps every
 *   address of its port; TCP and UDP keep separate ports (step 2); and
 *   listeners that all set `SO_REUSEPORT` share a port on purpose.
 * - The privileged range ends at `net.ipv4.ip_unprivileged_port_start`:
 *   1024 by default, 0 in many containers (then any user binds port 80).
 * - Above it, the kernel hands ports in `net.ipv4.ip_local_port_range`
 *   (32768–60999 by default) to outgoing connections. A server that listens
 *   in that range may find its port already used by some client, and
 *   sometimes cannot bind it even after the client is gone (step 3).
 *
 * Run alone: deno run --allow-net=127.0.0.1,0.0.0.0 --allow-run=sysctl
 *              lessons/09_ports_backlog/port_in_use.ts
 *
 * @module
 */

import { bindOutcome, needs, netAllowed, sysctl } from "./kernel.ts";

/** What binding a port that is taken says. */
export interface PortTaken {
  /** The port both sockets asked for. */
  port: number;
  /** Deno's error: `AddrInUse: Address already in use (os error 98)`. */
  error: string;
}

/** Binds a free port, then binds it again while the first socket holds it. */
export function bindTakenPort(): PortTaken {
  // Python: s1.bind(('127.0.0.1', 0)); s1.listen()
  using first = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = first.addr;
  // Python: s2.bind(('127.0.0.1', port)) → OSError: [Errno 98] Address already in use
  return { port, error: bindOutcome(() => Deno.listen({ hostname: "127.0.0.1", port })) };
}

/**
 * Binds `first` on a free port, then `second` on the same port: `bound`, or
 * the error. 127.0.0.1 then 127.0.0.2 binds (two addresses); 0.0.0.0 then
 * 127.0.0.1 does not (the wildcard already covers it).
 */
export function bindBoth(first: string, second: string): string {
  const missing = [first, second].find((host) => !netAllowed(host));
  if (missing) return needs(`--allow-net=${missing}`);
  using a = Deno.listen({ hostname: first, port: 0 });
  return bindOutcome(() => Deno.listen({ hostname: second, port: a.addr.port }));
}

/** Two listeners on one port with `reusePort`, and where the connections went. */
export interface SharedByReusePort {
  /** The port both listen on. */
  port: number;
  /** Connections each listener accepted, of `clients`. */
  accepted: [number, number];
  /** What a third listener without `reusePort` got. */
  withoutReusePort: string;
}

/**
 * `SO_REUSEPORT` (Deno: `reusePort: true`, Linux only, unstable in Deno 2):
 * several listeners on one address and port, every one of them asking for
 * it. The kernel spreads new connections over them by a hash of the
 * client's address and port: how several processes serve one port.
 */
export async function shareWithReusePort(clients = 20): Promise<SharedByReusePort> {
  // Python: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1), in each
  const a = Deno.listen({ hostname: "127.0.0.1", port: 0, reusePort: true });
  const { port } = a.addr;
  const b = Deno.listen({ hostname: "127.0.0.1", port, reusePort: true });
  const withoutReusePort = bindOutcome(() => Deno.listen({ hostname: "127.0.0.1", port }));
  const open: Deno.Conn[] = [];
  const accepted: [number, number] = [0, 0];
  const all = Promise.withResolvers<void>();
  const take = async (listener: Deno.TcpListener, i: 0 | 1) => {
    for await (const conn of listener) {
      open.push(conn);
      if (++accepted[i] + accepted[1 - i] === clients) all.resolve();
    }
  };
  const accepting = [take(a, 0), take(b, 1)];
  try {
    for (let i = 0; i < clients; i++) {
      open.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    }
    await all.promise;
  } finally {
    a.close();
    b.close();
    await Promise.allSettled(accepting);
    for (const conn of open) conn.close();
  }
  return { port, accepted, withoutReusePort };
}

/**
 * The first port an unprivileged user may bind, `net.ipv4.ip_unprivileged_port_start`
 * (`undefined` without `--allow-run=sysctl`). Root (or CAP_NET_BIND_SERVICE)
 * may bind any port.
 */
export async function unprivilegedPortStart(): Promise<number | undefined> {
  return (await sysctl("net.ipv4.ip_unprivileged_port_start"))?.[0];
}

/** The kernel's ephemeral ports, `net.ipv4.ip_local_port_range`: `[32768, 60999]` by default. */
export async function ephemeralRange(): Promise<[number, number] | undefined> {
  const range = await sysctl("net.ipv4.ip_local_port_range");
  return range === undefined ? undefined : [range[0], range[1]];
}

/** The local port the kernel gave an outgoing connection (Python: `s.getsockname()[1]`). */
export async function portOfAClient(): Promise<number> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  using _accepted = await listener.accept();
  return client.localAddr.port;
}

if (import.meta.main) {
  console.log("a taken port:", bindTakenPort());
  console.log("127.0.0.1 then 127.0.0.2:", bindBoth("127.0.0.1", "127.0.0.2"));
  console.log("0.0.0.0 then 127.0.0.1:", bindBoth("0.0.0.0", "127.0.0.1"));
  console.log("reusePort:", await shareWithReusePort());
  console.log("ip_unprivileged_port_start:", await unprivilegedPortStart());
  console.log(
    "ip_local_port_range:",
    await ephemeralRange(),
    "a client got",
    await portOfAClient(),
  );
}
