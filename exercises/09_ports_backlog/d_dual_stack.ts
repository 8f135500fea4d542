/**
 * # Exercise 09d · Which addresses a listener covers
 *
 * Lesson 09, step 5 (`lessons/09_ports_backlog/addresses.ts`). A server
 * bound to 127.0.0.1 is reached through 127.0.0.1 only; 0.0.0.0 through
 * every IPv4 address; ::1 by IPv6 clients only; and :: (dual stack, on
 * Linux) by IPv6 and IPv4 clients alike, the IPv4 ones seen as
 * `::ffff:127.0.0.1`. This function binds one address and knocks through
 * others, to see which get in.
 *
 * Check it:  deno task verify 09d        Stuck?  deno task hint 09d
 *
 * @module
 */

import type { AddressProbe, BindProbe } from "../../lessons/09_ports_backlog/addresses.ts";
import { needs, netAllowed } from "../../lessons/09_ports_backlog/kernel.ts";
import { bracketIpv6, describeAddr } from "../../lib/addr.ts";

/** Binds `bindHost` on a free port and connects to it through each of `viaHosts`. */
export async function probeBindAddress(bindHost: string, viaHosts: string[]): Promise<BindProbe> {
  // Python: s = socket.socket(AF_INET6 if ':' in host else AF_INET); s.bind((host, 0)); s.listen()
  using listener = Deno.listen({ hostname: bindHost, port: 0 });
  const probes: AddressProbe[] = [];
  for (const via of viaHosts) {
    if (!netAllowed(via)) {
      probes.push({ via, outcome: needs(`--allow-net=${bracketIpv6(via)}`) });
      continue;
    }
    // TODO(09d): connect to the listener's port through the address `via`
    // (give up after 2 s), and push the outcome: `accepted from <the
    // client's address as the server saw it, without the port>` (write it
    // with describeAddr), or `refused`. When it works, :: is reached from
    // 127.0.0.1 as [::ffff:127.0.0.1], and ::1 refuses an IPv4 client.
  }
  return { bind: bindHost, probes };
}
