/**
 * # 05 · The narrated demo
 *
 * What `deno task 05` runs: each step's experiments in order, drawn as
 * pictures of writes against reads, then both fixes replaying them, the
 * framed server, and framed messages surviving a proxy that cuts the stream
 * at random. The same transcript on every run. Each part is also what its
 * step file prints when run on its own.
 *
 * @module
 */

import { LimitError } from "../../lib/errors.ts";
import { type Log, prefixed } from "../../lib/log.ts";
import { seededRandom } from "../../lib/random.ts";
import { traced } from "../../lib/trace.ts";
import { recordTransfer, stampedMessages, STICKY_MESSAGES } from "./1_sticky.ts";
import { HALF_MESSAGE_BYTES, halfTransfer } from "./2_half.ts";
import { type SendStyle, timeRoundTrips } from "./3_length_prefix.ts";
import { frameHeader, MAX_HEADER_LENGTH } from "./frame_codec.ts";
import { runFramedClient, startFramedServer } from "./5_framed_server.ts";
import {
  decodeReads,
  DEFAULT_MAX_LINE,
  type Framing,
  helloWithoutWaiting,
  lengthPrefixFraming,
  lineFraming,
  NO_FRAMING,
  randomMessages,
} from "./framings.ts";
import {
  drawTransfer,
  logHello,
  traceCaughtUp,
  verdict,
  wireNote,
  withoutPorts,
} from "./demo_pictures.ts";
import { startResliceProxy } from "./reslice_proxy.ts";

const encoder = new TextEncoder();

/** What the demo's flags change. */
export interface DemoOptions {
  /** `--max-line`: the longest line the delimiter framing accepts. Default 64 KiB. */
  maxLine?: number;
  /** `--seed`: where part 7's proxy cuts, and its messages. Default 5. */
  seed?: number;
}

/** The whole demo, parts 1 to 7. */
export async function demo(log: Log, options: DemoOptions = {}): Promise<void> {
  await stickyPart(log);
  await halfPart(log);
  await lengthPrefixPart(log);
  await delimiterPart(log, options.maxLine);
  await serverPart(log, options.seed);
}

/** Step 1: three writes, one read; 呆贝斯's fixes tried; lesson 03's protocol. */
export async function stickyPart(log: Log): Promise<void> {
  log("Part 1 · Sticky packets (粘包): three writes, one read");
  log("");
  log("The client calls send() three times: hello, sticky, packets, with Nagle's");
  log("algorithm off (setNoDelay(true)), so each leaves at once as its own segment.");
  log("The server calls recv(1024) only after the third send has returned:");
  await replay(log, "sticky", NO_FRAMING);
  log("");
  log("TCP numbers bytes, not packets (RFC 9293 §3.4): the segments carried bytes");
  log("1-5, 6-11 and 12-18, and the receiver keeps bytes, in order, in one buffer.");
  log("A read takes what the buffer holds, up to the size asked for.");
  log("");
  log("«Socket网络编程学习笔记» says 粘包 happens when packets are too large, and");
  log("suggests limiting the size of each send, and a timestamp at the head of each.");
  log("Both at once: three messages of 600 bytes, each under the 1024-byte read,");
  log("each starting with a timestamp:");
  const stamped = stampedMessages(3, 600, () => Date.UTC(2024, 0, 1));
  const transfer = await recordTransfer(stamped.map((m) => encoder.encode(m)));
  await traceCaughtUp(); // with --capture, its trace comes above its picture
  drawTransfer(log, transfer, NO_FRAMING, decodeReads(NO_FRAMING, transfer.reads));
  const [first] = transfer.reads;
  const stamps = [...new TextDecoder().decode(first).matchAll(/\[2024/g)].map((m) => m.index);
  log(
    `  ✗ read 1 holds timestamps at bytes ${stamps.join(" and ")}, and ends ${
      first.length - 600
    } bytes into message 2:`,
  );
  log("    the timestamp says where message 2 starts, not where it ends.");
  log("");
  log("Part 2 · The same bug in lesson 03's protocol");
  log("");
  log("Lesson 03's client waits for each reply before it sends the next name.");
  log("This one doesn't: it sends Michael and Tracy back to back, and lesson 03's");
  log("server (its own code) reads once. Everything the client received:");
  log("");
  await hello(log, NO_FRAMING);
  log("");
  log("A reply to a name nobody sent. Lesson 03 works only because its client");
  log("waits for every reply, and takes one read as one reply.");
  log("");
}

/** Step 2: one 100 KiB write, 100 reads. */
export async function halfPart(log: Log): Promise<void> {
  log("Part 3 · Half packets (半包): one write, many reads");
  log("");
  log(`The client sends one message of ${HALF_MESSAGE_BYTES} bytes (100 KiB) in one call;`);
  log("the server reads the tutorials' way, recv(1024), until the client closes:");
  await replay(log, "half", NO_FRAMING);
  log("");
  log("Nothing was lost or late. 呆贝斯's notes blame 半包 on lost or delayed");
  log("packets and suggest retransmission and checksums: TCP already does both,");
  log("below the socket. A read returns what fits the buffer it was given, and");
  log("nothing says where a message ends. Framing says it.");
  log("");
}

/** Step 3: the length prefix replays parts 1 to 3; then one write against two. */
export async function lengthPrefixPart(log: Log): Promise<void> {
  log("Part 4 · Fix A: a length prefix");
  log("");
  log("Every message goes out as 4 bytes holding its length, big-endian (Python:");
  log("struct.pack('!I', len(data))), then the message. The receiver keeps bytes");
  log("until it has 4, reads the length n, then keeps bytes until it has n more:");
  log("one message, however the reads were cut.");
  await replayAll(log, lengthPrefixFraming());
  log("");
  log("The decoder allocated the 100 KiB message once, when its header arrived,");
  log("after checking the length against a limit (1 MiB, --max-frame): a header");
  log("announcing 4 GiB is refused before anything is allocated.");
  log("");
  log("Header and payload in one write, or two? 10 requests of 5 bytes, each");
  log("waiting for its reply (the middle round trip of ten):");
  for (
    const [style, noDelay] of [
      ["header, then payload", false],
      ["one write", false],
      ["header, then payload", true],
    ] as [SendStyle, boolean][]
  ) {
    const times = (await timeRoundTrips(style, { noDelay })).sort((a, b) => a - b);
    const label = `${style}${noDelay ? ", setNoDelay(true)" : ""}:`;
    log(`  ${label.padEnd(42)}${times[5] >= 35 ? "40 ms or more" : "no wait"}`);
  }
  log("Nagle's algorithm holds the payload until the header is acknowledged, and");
  log("the server delays that ACK (40 ms or more on Linux): it has no reply yet.");
  log("");
}

/** Step 4: the delimiter replays parts 1 to 3, and its limit (`--max-line`) at work. */
export async function delimiterPart(log: Log, maxLine = DEFAULT_MAX_LINE): Promise<void> {
  log("Part 5 · Fix B: a delimiter, \\n after every message");
  log("");
  log("The receiver keeps bytes until a \\n arrives; everything before it is one");
  log("message. Readable with nc, but a message may not contain \\n, and the");
  log("receiver cannot know how long a line will be, so it needs a limit too");
  log(`(${maxLine} bytes; deno task 05 --max-line N sets it).`);
  const framing = lineFraming({ maxLine });
  await replayAll(log, framing);
  const half = await halfTransfer(framing.encode("x".repeat(HALF_MESSAGE_BYTES)));
  if (decodeReads(framing, half.reads).error instanceof LimitError) {
    const raised = 128 * 1024;
    log("  That is the line limit at work: a peer that never sends \\n could");
    log("  otherwise fill our memory. Raised to 128 KiB (deno task 05 --max-line");
    log(`  ${raised}), the same reads decode to:`);
    const decoded = decodeReads(lineFraming({ maxLine: raised }), half.reads);
    verdict(log, framing, decoded, ["x".repeat(HALF_MESSAGE_BYTES)]);
  }
  log("");
}

/** Step 5: the framed server, a 4 GiB header, the next client; then any slicing (`--seed`). */
export async function serverPart(log: Log, seed = 5): Promise<void> {
  log("Part 6 · The framed server (deno task 05 server)");
  log("");
  {
    await using server = startFramedServer({ port: 0, log: withoutPorts(prefixed(log, "server")) });
    const port = server.addr.port;
    const client = prefixed(log, "client");
    const messages = ["héllo", "wörld", "straße"];
    client(`→ ${messages.join(", ")} (3 frames, back to back)`);
    client(`← ${(await runFramedClient({ port, messages })).join(", ")}`);
    log("");
    log("A client sends only a header, announcing 4294967295 bytes (4 GiB):");
    {
      using conn = traced(await Deno.connect({ hostname: "127.0.0.1", port }), "client");
      await conn.write(frameHeader(MAX_HEADER_LENGTH));
      await new Response(conn.readable).arrayBuffer().catch(() => {}); // closed (maybe reset)
    }
    log("The server refused it before allocating anything, and serves the next:");
    client(`← ${(await runFramedClient({ port, messages: ["still here?"] }))[0]}`);
  }
  log("");
  log("Part 7 · Any slicing");
  log("");
  const messages = randomMessages(seededRandom(seed), 200, 16 * 1024);
  await using server = startFramedServer({ port: 0 });
  await using proxy = startResliceProxy({ target: server.addr, seed, minPiece: 1, maxPiece: 1500 });
  const replies = await runFramedClient({ port: proxy.addr.port, messages });
  const bytes = messages.reduce((sum, m) => sum + encoder.encode(m).length, 0);
  const right = replies.filter((reply, i) => reply === messages[i].toUpperCase()).length;
  log(`${messages.length} messages, 0 to 16 KiB each (${bytes} bytes of ASCII, é, ß, 中文, 😀),`);
  log(`through a proxy that re-cuts both directions into pieces of 1 to 1500 bytes`);
  log(`(seed ${seed}, --seed N to change it): the proxy forwarded ${proxy.bytes} bytes, and`);
  const mark = right === messages.length ? "✓" : "✗";
  log(`  ${mark} ${right} of ${messages.length} replies are the upper-cased messages, in order.`);
  log("");
  log("Framed code does not care how the stream is cut. To put the same proxy");
  log("between the client and a server: deno task 05 client --through-proxy");
}

/** One experiment, encoded with `framing`: write, read, draw, judge. */
async function replay(log: Log, which: "sticky" | "half", framing: Framing): Promise<void> {
  const sent = which === "sticky" ? [...STICKY_MESSAGES] : ["x".repeat(HALF_MESSAGE_BYTES)];
  const transfer = which === "sticky"
    ? await recordTransfer(sent.map(framing.encode))
    : await halfTransfer(framing.encode(sent[0]));
  // With --capture, asking for the wire first prints the trace of the transfer above the picture.
  const wire = framing === NO_FRAMING ? await wireNote(transfer, which) : [];
  const decoded = decodeReads(framing, transfer.reads);
  drawTransfer(log, transfer, framing, decoded);
  verdict(log, framing, decoded, sent);
  for (const line of wire) log(line);
}

/** A fix replays parts 1 to 3 with its framing. */
async function replayAll(log: Log, framing: Framing): Promise<void> {
  log("");
  log(`Part 1 again, ${framing.name} framing:`);
  await replay(log, "sticky", framing);
  if (framing.name === "length prefix") {
    log("  (a header's 4 bytes, 00 00 00 05, are drawn 0 0 0 5)");
  }
  log("");
  log(`Part 2 again: lesson 03's hello protocol, ${framing.name} framing:`);
  log("");
  await hello(log, framing);
  log("");
  log(`Part 3 again, ${framing.name} framing:`);
  await replay(log, "half", framing);
}

/** Lesson 03's conversation, the client not waiting, with `framing`. */
async function hello(log: Log, framing: Framing): Promise<void> {
  const names = ["Michael", "Tracy"];
  const replies = await helloWithoutWaiting(framing, names);
  await traceCaughtUp();
  logHello(log, framing, names, replies);
}
