/**
 * # 09 · Step 5: which addresses a listener covers
 *
 * Liao Xuefeng's «TCP编程» binds 127.0.0.1 ("only this machine can
 * connect") or 0.0.0.0 ("every network address"). Both hold, and there
 * is more to see:
 *
 * - 127.0.0.1 is one address. The whole 127.0.0.0/8 is loopback on Linux,
 *   so 127.0.0.2 reaches this machine too, but not a listener on 127.0.0.1.
 * - 0.0.0.0 is every IPv4 address of the machine, the network's included.
 * - ::1 is IPv6 loopback only: an IPv4 client does not reach it.
 * - :: (every IPv6 address) is *dual stack* on Linux: it accepts IPv4
 *   clients too, which it sees as IPv4-mapped addresses, `::ffff:127.0.0.1`.
 *   Linux leaves `IPV6_V6ONLY` off unless `net.ipv6.bindv6only` = 1 (it is
 *   0 by default), and Deno does not set it. So a server on :: is reachable
 *   over IPv4 as well, and it takes the IPv4 port too: 0.0.0.0 and :: on
 *   one port collide (step 1).
 *
 * A connection that matches no listener's address is answered with a reset:
 * the client's connect fails at once with "connection refused".
 *
 * Run alone: deno run --allow-net=127.0.0.1,127.0.0.2,0.0.0.0,[::1],[::]
 *              lessons/09_ports_backlog/addresses.ts
 *
 * @module
 */

import { describeAddr } from "../../lib/addr.ts";
import { needs, netAllowed } from "./kernel.ts";

/** What connecting through one address found. */
export interface AddressProbe {
  /** The address the client connected to. */
  via: string;
  /** `accepted from <the address the server saw>`, `refused`, or why it was not tried. */
  outcome: string;
}

/** Binding one address, then connecting through several. */
export interface BindProbe {
  /** The address the server bound. */
  bind: string;
  /** Why the bind itself was not done, if it was not. */
  skipped?: string;
  /** One entry per address tried. */
  probes: AddressProbe[];
}

/**
 * Binds `bindHost` on a free port and connects to that port through each
 * of `viaHosts`, reporting the client address the server saw, or the
 * refusal.
 */
export async function probeBindAddress(bindHost: string, viaHosts: string[]): Promise<BindProbe> {
  if (!netAllowed(bindHost)) {
    return { bind: bindHost, skipped: needs(allowFlag(bindHost)), probes: [] };
  }
  let listener: Deno.TcpListener;
  try {
    // Python: s = socket.socket(AF_INET6 if ':' in host else AF_INET); s.bind((host, 0)); s.listen()
    listener = Deno.listen({ hostname: bindHost, port: 0 });
  } catch (err) {
    // No IPv6 on this machine (a container without it): report, don't fail.
    return { bind: bindHost, skipped: `unavailable here: ${err}`, probes: [] };
  }
  try {
    const probes: AddressProbe[] = [];
    for (const via of viaHosts) probes.push({ via, outcome: await knock(listener, via) });
    return { bind: bindHost, probes };
  } finally {
    listener.close();
  }
}

/** Connects to `listener`'s port through `via`. */
async function knock(listener: Deno.TcpListener, via: string): Promise<string> {
  if (!netAllowed(via)) return needs(allowFlag(via));
  try {
    // Python: socket.create_connection((via, port), timeout=2)
    using _conn = await Deno.connect({
      hostname: via,
      port: listener.addr.port,
      signal: AbortSignal.timeout(2_000),
    });
    using accepted = await listener.accept();
    return `accepted from ${describeAddr(accepted.remoteAddr).replace(/:\d+$/, "")}`;
  } catch (err) {
    if (err instanceof Deno.errors.ConnectionRefused) return "refused";
    throw err;
  }
}

/** `--allow-net=[::1]` for IPv6, `--allow-net=127.0.0.2` for IPv4. */
function allowFlag(host: string): string {
  return `--allow-net=${host.includes(":") ? `[${host}]` : host}`;
}

if (import.meta.main) {
  console.log(await probeBindAddress("127.0.0.1", ["127.0.0.1", "127.0.0.2"]));
  console.log(await probeBindAddress("0.0.0.0", ["127.0.0.1", "127.0.0.2", "::1"]));
  console.log(await probeBindAddress("::1", ["::1", "127.0.0.1"]));
  console.log(await probeBindAddress("::", ["::1", "127.0.0.1"]));
}
