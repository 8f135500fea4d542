/**
 * # Exercise 09d · Which addresses a listener covers (the reference solution)
 *
 * @module
 */

import type { AddressProbe, BindProbe } from "../../../lessons/09_ports_backlog/addresses.ts";
import { needs, netAllowed } from "../../../lessons/09_ports_backlog/kernel.ts";
import { bracketIpv6, describeAddr } from "../../../lib/addr.ts";

/** Binds `bindHost` on a free port and connects to it through each of `viaHosts`. */
export async function probeBindAddress(bindHost: string, viaHosts: string[]): Promise<BindProbe> {
  using listener = Deno.listen({ hostname: bindHost, port: 0 });
  const probes: AddressProbe[] = [];
  for (const via of viaHosts) {
    if (!netAllowed(via)) {
      probes.push({ via, outcome: needs(`--allow-net=${bracketIpv6(via)}`) });
      continue;
    }
    try {
      // Python: socket.create_connection((via, port), timeout=2)
      using _conn = await Deno.connect({
        hostname: via,
        port: listener.addr.port,
        signal: AbortSignal.timeout(2_000),
      });
      using accepted = await listener.accept();
      const seen = describeAddr(accepted.remoteAddr).replace(/:\d+$/, "");
      probes.push({ via, outcome: `accepted from ${seen}` });
    } catch (err) {
      if (!(err instanceof Deno.errors.ConnectionRefused)) throw err;
      probes.push({ via, outcome: "refused" });
    }
  }
  return { bind: bindHost, probes };
}
