/**
 * # 09 · The measured demo
 *
 * What `deno task 09` runs: each step's functions, in order, with what the
 * kernel reported. A step whose permission is missing (the tour grants only
 * 127.0.0.1) says which flag it needs instead.
 *
 * @module
 */

import { formatError } from "../../lib/errors.ts";
import { explainNetError } from "../../lib/explain.ts";
import { type Log, prefixed } from "../../lib/log.ts";
import { runHelloClient, startHelloServer } from "../03_tcp_hello.ts";
import { listenLikeTheTutorial } from "../09_ports_backlog.ts";
import { probeBindAddress } from "./addresses.ts";
import {
  type BacklogResult,
  effectiveBacklog,
  measureBacklog,
  measureSynRetry,
  TUTORIAL_BACKLOG,
} from "./backlog.ts";
import { needs, netAllowed, tcpSocketsOnPort } from "./kernel.ts";
import {
  bindBoth,
  bindTakenPort,
  ephemeralRange,
  portOfAClient,
  shareWithReusePort,
  unprivilegedPortStart,
} from "./port_in_use.ts";
import { shareTcpAndUdpPort } from "./tcp_and_udp.ts";
import { listenWhereAClientWas, restartAfterClose } from "./time_wait.ts";

/** The demo, step by step. */
export async function demo(log: Log): Promise<void> {
  const say = (line: string) => log(`   ${line}`);

  log("1. Which ports a server may bind:");
  const taken = bindTakenPort();
  say(`A second bind of port ${taken.port}: ${taken.error}`);
  say(`127.0.0.1 then 127.0.0.2 on one port: ${bindBoth("127.0.0.1", "127.0.0.2")}`);
  say(`0.0.0.0 then 127.0.0.1 on one port: ${bindBoth("0.0.0.0", "127.0.0.1")}`);
  say(`:: then 127.0.0.1 on one port: ${bindBoth("::", "127.0.0.1")}`);
  const shared = await shareWithReusePort();
  say(
    `Two listeners with reusePort on port ${shared.port}: connections split ` +
      `${shared.accepted.join(" / ")}; a third without it: ${shared.withoutReusePort}`,
  );
  const start = await unprivilegedPortStart();
  say(
    start === undefined
      ? `Ports below net.ipv4.ip_unprivileged_port_start need privileges (value: ${
        needs("--allow-run=sysctl")
      })`
      : `Ports below ${start} (net.ipv4.ip_unprivileged_port_start) need root or CAP_NET_BIND_SERVICE.`,
  );
  say(`A user without them gets: ${formatError(refusedPort(80))}`);
  const range = await ephemeralRange();
  const clientPort = await portOfAClient();
  say(
    range === undefined
      ? `A client was given local port ${clientPort} (the ephemeral range: ${
        needs("--allow-run=sysctl")
      })`
      : `Ephemeral ports (net.ipv4.ip_local_port_range): ${range[0]}–${range[1]}; ` +
        `a client was just given ${clientPort}. Servers listen below ${range[0]}.`,
  );

  const both = await shareTcpAndUdpPort();
  log(
    `2. TCP and UDP both bound port ${both.port}: the TCP socket received ` +
      `"${both.tcpReceived}", the UDP socket "${both.udpReceived}".`,
  );

  log("3. TIME_WAIT and SO_REUSEADDR:");
  const restart = await restartAfterClose();
  say(
    `A server restarted on port ${restart.port}${timeWait(restart.timeWait)}: ${restart.outcome}` +
      " (both sockets had SO_REUSEADDR: Deno sets it).",
  );
  const where = await listenWhereAClientWas();
  say(
    `A server on port ${where.port}, where a client just closed first${timeWait(where.timeWait)}:`,
  );
  say(`${where.outcome} (the client's socket never set SO_REUSEADDR).`);

  log(`4. listen(${TUTORIAL_BACKLOG}), nobody calls accept(), 8 clients connect one by one:`);
  {
    using tutorial = listenLikeTheTutorial(0);
    const row = (await tcpSocketsOnPort(tutorial.addr.port))?.find((r) => r.state === "LISTEN");
    if (row) say(`(ss on the tutorial's listener: ${row.recvQ} waiting, limit ${row.sendQ})`);
  }
  logBacklog(say, await measureBacklog({ clients: 8, log: say }));
  const capped = await effectiveBacklog(100_000);
  if (capped !== undefined) {
    say(`listen(100000): ss shows a limit of ${capped}: net.core.somaxconn.`);
  }
  const retryMs = await measureSynRetry();
  say(
    `A client that met a full queue got in ${retryMs.toFixed(0)} ms after its first SYN, though ` +
      "the server accepted after 100 ms: its kernel had to send the SYN again.",
  );
  say(
    "(Run with --capture as root to see it on the wire: a SYN with no SYN-ACK, the same SYN " +
      "about 1 s later, then the handshake.)",
  );

  log("5. Bind one address, connect through others:");
  const probes = [
    await probeBindAddress("127.0.0.1", ["127.0.0.1", "127.0.0.2"]),
    await probeBindAddress("0.0.0.0", ["127.0.0.1", "::1"]),
    await probeBindAddress("::1", ["::1", "127.0.0.1"]),
    await probeBindAddress("::", ["::1", "127.0.0.1"]),
  ];
  for (const probe of probes) {
    const what = probe.skipped ?? probe.probes.map((p) => `via ${p.via}: ${p.outcome}`).join("; ");
    say(`bind ${probe.bind.padEnd(9)} → ${what}`);
  }
  say("Lessons bind 127.0.0.1: only this machine can connect, whatever the firewall says.");
  await helloOverIpv6(say);
}

/** The backlog result in two lines. */
export function logBacklog(log: Log, r: BacklogResult): void {
  const queue = r.queued === undefined
    ? ""
    : ` (ss: ${r.queued} in the accept queue, limit ${r.limit})`;
  const plusOne = r.backlog !== null && r.connected === r.backlog + 1 ? " = backlog + 1" : "";
  const drops = r.overflows === undefined ? "" : ` (nstat: TcpExtListenOverflows +${r.overflows})`;
  log(
    `${r.connected} connected${plusOne}${queue}; ${r.timedOut} timed out${drops}, ${r.refused} refused.`,
  );
  log(
    `After accept(): the first client's "${r.sentBeforeAccept}" was waiting; ` +
      (r.connectedAfterAccept
        ? "a new client connected at once (served clients don't count)."
        : "a new client still could not connect."),
  );
}

/** The line the command line prints when the kernel refuses a port below the threshold. */
function refusedPort(port: number): unknown {
  const err = new Deno.errors.PermissionDenied("Permission denied (os error 13)");
  return explainNetError(err, { hostname: "127.0.0.1", port });
}

function timeWait(count: number | undefined): string {
  return count === undefined ? "" : ` (ss: ${count} in TIME-WAIT)`;
}

/** Lesson 03's server and client on [::1], if IPv6 is there and allowed. */
async function helloOverIpv6(log: Log): Promise<void> {
  if (!netAllowed("::1")) return log(`Lesson 03 over IPv6: ${needs("--allow-net=[::1]")}`);
  await using server = startHelloServer({ host: "::1", port: 0, log: prefixed(log, "server") });
  const names = ["IPv6"];
  await runHelloClient({
    host: "::1",
    port: server.addr.port,
    names,
    log: prefixed(log, "client"),
  });
}
