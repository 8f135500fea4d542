/**
 * # 04 · The narrated demo
 *
 * What `deno task 04` runs: the tutorial's server and client in one process,
 * on a port the kernel picks; the receive-only server and a client that
 * gives up; then what the tutorial never shows (loss on loopback, a reply
 * too big for a datagram, TCP and UDP on one port number).
 *
 * @module
 */

import { formatAddr, netAddr } from "../../lib/addr.ts";
import { type Log, prefixed } from "../../lib/log.ts";
import { MAX_UDP_PAYLOAD } from "../../lib/udp.ts";
import {
  bindLikeTheTutorial,
  runClientLikeTheTutorial,
  runUdpHelloClient,
  serveLikeTheTutorial,
  startUdpHelloServer,
} from "../04_udp_hello.ts";
import { burstIntoIdleSocket } from "./loopback_loss.ts";
import { bindTcpAndUdp } from "./tcp_and_udp.ts";

/** The demo, step by step. */
export async function demo(log: Log): Promise<void> {
  const server = prefixed(log, "server");
  const client = prefixed(log, "client");

  // Step 1: the tutorial's server as it is, on a free port, and its client.
  log("1. The tutorial's server and client:");
  {
    const socket = bindLikeTheTutorial(0);
    server(`Bind UDP on ${formatAddr(netAddr(socket.addr))}...`);
    const serving = serveLikeTheTutorial(socket, { log: server });
    await runClientLikeTheTutorial({ port: netAddr(socket.addr).port, log: client });
    socket.close();
    await serving;
  }

  // Step 2: the receive-only server answers nothing. UDP has no connection
  // to fail, so the client learns it only from the silence: it times out.
  log("");
  log("2. The receive-only server (--quiet), and a client that waits 100 ms, twice:");
  {
    await using quiet = startUdpHelloServer({ port: 0, quiet: true, log: prefixed(log, "quiet") });
    const names = ["anyone there?"];
    await runUdpHelloClient({ port: quiet.addr.port, names, timeoutMs: 100, tries: 2, log: client })
      .catch((err) => log(`client gives up: ${err instanceof Error ? err.message : err}`));
  }

  // Step 3: loss on loopback. A socket that is not reading yet keeps what
  // its receive buffer holds; the kernel drops the rest and tells nobody.
  log("");
  log("3. 10,000 datagrams of 100 bytes to a socket that is not reading yet:");
  {
    const { sent, kept } = await burstIntoIdleSocket(10_000, 100);
    log(`   ${kept} kept, ${(sent - kept).toLocaleString("en")} dropped, every send() successful.`);
  }

  // Step 4: a datagram of 65,507 bytes: its reply would be 8 bytes too many.
  // The tutorial's loop dies of it; the hardened server logs it and goes on.
  log("");
  log(`4. A ${MAX_UDP_PAYLOAD.toLocaleString("en")}-byte datagram, whose reply cannot fit one:`);
  {
    const big = "a".repeat(MAX_UDP_PAYLOAD);
    const socket = bindLikeTheTutorial(0);
    const serving = serveLikeTheTutorial(socket);
    await sendFrom(new TextEncoder().encode(big), socket.addr);
    await serving.catch((err) => log(`   the tutorial's loop stops: ${err.message}`));
    socket.close();

    await using hardened = startUdpHelloServer({ port: 0, log: server });
    const port = hardened.addr.port;
    await runUdpHelloClient({ port, names: [big], timeoutMs: 300, tries: 1 })
      .catch(() => log("   no reply, as expected; and the hardened server goes on:"));
    await runUdpHelloClient({ port, names: ["still there?"], log: client });
  }

  // Step 5: TCP port N and UDP port N are different ports: both binds succeed.
  log("");
  log("5. A TCP listener and a UDP socket on one port number:");
  {
    const { tcp, udp } = bindTcpAndUdp(0);
    const serving = serveLikeTheTutorial(udp);
    const [reply] = await runClientLikeTheTutorial({ port: tcp.addr.port, names: ["both"] });
    log(
      `   TCP ${formatAddr(tcp.addr)} listening, UDP ${
        formatAddr(netAddr(udp.addr))
      } answers: ${reply}`,
    );
    log("   TCP and UDP ports are separate (the tutorial's 9999 for both).");
    udp.close();
    tcp.close();
    await serving;
  }
}

/** One datagram from a socket of its own, closed at once (nothing is awaited back). */
async function sendFrom(payload: Uint8Array, to: Deno.Addr): Promise<void> {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    await socket.send(payload, to);
  } finally {
    socket.close();
  }
}
