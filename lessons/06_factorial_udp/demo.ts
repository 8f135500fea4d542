/**
 * # 06 · The narrated demo
 *
 * What `deno task 06` runs: the tutorial's server6.py and client6.py as they
 * are, with what breaks them; the lesson's server with the largest n and
 * garbage; the same client through a link that loses, duplicates, delays
 * and reorders datagrams; and a late reply taken for another's answer.
 *
 * @module
 */

import { netAddr } from "../../lib/addr.ts";
import { type Log, prefixed } from "../../lib/log.ts";
import { udpRequest } from "../../lib/udp.ts";
import {
  answerOnceLikeTheTutorial,
  askLikeTheTutorial,
  bindLikeTheTutorial,
  LARGEST_N,
  runFactorialClient,
  startFactorialServer,
} from "../06_factorial_udp.ts";
import { factorial } from "./factorial.ts";
import { lateReplyOnAReusedPort } from "./late_replies.ts";
import type { RelayEvent } from "./link_faults.ts";
import { startLossyUdpRelay } from "./lossy_relay.ts";

const encoder = new TextEncoder();

/** The demo, step by step. */
export async function demo(log: Log): Promise<void> {
  const client = prefixed(log, "client");

  // Step 1: server6.py answers one datagram and exits; client6.py reads
  // with recv(1024). Each run gets a fresh server, as the tutorial's would.
  log("1. The tutorial's server6.py and client6.py:");
  for (const n of [5, 500]) {
    const socket = bindLikeTheTutorial(0);
    const answering = answerOnceLikeTheTutorial(socket, prefixed(log, "server"));
    const reply = await askLikeTheTutorial(n, netAddr(socket.addr).port);
    await answering;
    socket.close();
    const whole = factorial(n).toString().length;
    const cut = reply.length < whole ? `, cut by recv(1024): ${whole} digits sent` : "";
    client(`计算结果: ${reply.length > 40 ? `${reply.length} digits` : reply}${cut}`);
  }
  {
    // "abc" ends server6.py: int('abc') raises ValueError, and so does our port of it.
    const socket = bindLikeTheTutorial(0);
    const answering = answerOnceLikeTheTutorial(socket);
    await udpSend(encoder.encode("abc"), netAddr(socket.addr).port);
    await answering.catch((err) => log(`   "abc" ends server6.py (Python: ValueError): ${err}`));
    socket.close();
  }

  // Step 2: the lesson's server: the tutorial's exchange, 0! = 1, the
  // largest n (65,507 digits, one datagram, a few milliseconds), then
  // datagrams our client would refuse to send, sent anyway (Python:
  // s.sendto(b'1e3', addr)): each gets ERR and a reason, and the server goes on.
  log("");
  log("2. The lesson's server:");
  {
    await using server = startFactorialServer({ port: 0, log: prefixed(log, "server") });
    const { port } = server.addr;
    for (const n of [5, 0, LARGEST_N]) await runFactorialClient({ port, n, log: client });
    const garbage = ["abc", "-5", "3.5", "1e3", "0x10", "", String(LARGEST_N + 1)]
      .map((text) => encoder.encode(text));
    garbage.push(new Uint8Array([0xff, 0xfe, 0x35])); // not UTF-8
    for (const datagram of garbage) await udpRequest(datagram, { port });
    await runFactorialClient({ port, n: 5, log: client });
    const reply = await udpRequest(encoder.encode(String(LARGEST_N)), { port });
    const ratio = Math.round(reply.length / String(LARGEST_N).length);
    log(
      `   A ${
        String(LARGEST_N).length
      }-byte request drew ${reply.length} bytes: ${ratio}× as many.`,
    );
  }

  // Step 3: a lossy link between client and server.
  log("");
  await demoLossyLink(log);

  // Step 4: the rare case step 3 was spared: a late reply reaching a fresh
  // socket that drew the released port (forced here), with and without ids.
  log("");
  log("4. A late answer to 5, and a fresh socket for 6 on the port just released:");
  const stale = await lateReplyOnAReusedPort({ ids: false });
  log(`   without request ids, the client takes ${stale} for 6!`);
  const own = await lateReplyOnAReusedPort({ ids: true });
  log(`   with an id echoed in every reply (askWithId), it takes ${own} for 6!`);
}

/**
 * The client through a relay that drops 30% of the datagrams (each way),
 * duplicates, delays and reorders some: every answer still arrives correct.
 */
async function demoLossyLink(log: Log): Promise<void> {
  log("3. The same client, now through a relay that loses 30% of the datagrams each way.");
  log("   Some are sent twice, some late; some wait until a later one has overtaken them.");
  await using server = startFactorialServer({ port: 0 });
  const replies = new Map<number, number>(); // client socket (flow) → reply copies let through
  // Delays and holds up to 75 ms, beyond the client's 50 ms timeout: some
  // answers arrive after the client has given up on that try and sent another.
  const relay = startLossyUdpRelay({
    target: server.addr,
    loss: 0.3,
    duplicate: 0.15,
    delay: 0.2,
    delayMs: 75,
    reorder: 0.15,
    holdMs: 75,
    seed: 6,
    log: prefixed(log, "relay"),
    onEvent: (event: RelayEvent) => countReplies(replies, event),
  });
  try {
    const client = prefixed(log, "client");
    let correct = 0;
    const ns = [3, 4, 5, 6, 7, 8, 9, 10, 100, 1000];
    for (const n of ns) {
      const digits = await runFactorialClient({
        port: relay.addr.port,
        n,
        timeoutMs: 50,
        tries: 12,
        log: client,
      });
      if (digits === factorial(n).toString()) correct++;
    }
    const strays = [...replies.values()].reduce((sum, copies) => sum + Math.max(0, copies - 1), 0);
    const { stats } = relay;
    log("");
    log(
      `${correct} of ${ns.length} answers correct. The relay saw ${stats.requests} requests and ` +
        `${stats.replies} replies: ${stats.dropped} dropped, ${stats.duplicated} duplicated, ` +
        `${stats.delayed} delayed, ${stats.reordered} overtaken.`,
    );
    log(`${strays} replies arrived after their request had been answered (duplicates, or`);
    log("answers to a try the client had given up on). None was read: each found its socket");
    log("closed, or closing. Rarely, the next request's fresh socket draws that same port, and");
    log("then a stray is read as its answer (step 4): only a request id rules that out.");
  } finally {
    await relay.close();
  }
}

/** Counts, per client socket, the reply copies the relay lets through. */
function countReplies(replies: Map<number, number>, event: RelayEvent): void {
  if (event.direction !== "reply" || event.fate.drop) return;
  replies.set(event.flow, (replies.get(event.flow) ?? 0) + event.fate.copies);
}

/** One datagram from a socket of its own, closed at once. */
async function udpSend(payload: Uint8Array, port: number): Promise<void> {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    await socket.send(payload, { transport: "udp", hostname: "127.0.0.1", port });
  } finally {
    socket.close();
  }
}
