/**
 * `--capture`'s reading of tcpdump, on recorded output (tests/fixtures), so
 * these run where tcpdump cannot:
 *
 * - tcpdump_03_hello.txt: lesson 03's server on port 39871 and three
 *   clients: lesson 03's client (Alice, then exit), one that half-closes
 *   (shutdown(SHUT_WR)) and one that resets (SO_LINGER 0, close).
 * - tcpdump_bulk_udp_refused.txt: 100 KiB written at once over IPv6 and read
 *   1,024 bytes at a time; a UDP question and answer; a connect to a port
 *   nothing listens on.
 *
 * Both recorded with `tcpdump -i lo -n -tt -S -l --immediate-mode -s 128`.
 */

import assert from "node:assert/strict";
import { flagNames, type Packet, parseTcpdumpLine, SequenceNumbers } from "../lib/capture_parse.ts";
import { Conversations, describeSegment, formatEntry } from "../lib/trace_events.ts";
import hello from "./fixtures/tcpdump_03_hello.txt" with { type: "text" };
import bulk from "./fixtures/tcpdump_bulk_udp_refused.txt" with { type: "text" };

function packets(text: string): Packet[] {
  return text.trim().split("\n").map((line) => {
    const packet = parseTcpdumpLine(line);
    assert.ok(packet !== undefined, `not parsed: ${line}`);
    return packet;
  });
}

const tcp = (port: number) => ({ transport: "tcp", hostname: "127.0.0.1", port }) as const;

/** The conversation between client port `clientPort` and lesson 03's server, as the trace shows it. */
function conversation(text: string, clientPort: number, serverPort = 39871): string[] {
  const conversations = new Conversations();
  conversations.stream(tcp(clientPort), tcp(serverPort), "client", "client");
  return packets(text).flatMap((packet) => {
    const segment = conversations.segment(packet, 0);
    if (segment === undefined) return [];
    return [`${segment.from} ${describeSegment(segment)}`];
  });
}

Deno.test("parseTcpdumpLine() reads every line of a recorded capture: time, ends, flags, numbers, length", () => {
  const all = packets(hello);
  assert.equal(all.length, 29);
  assert.deepEqual(all[3], {
    time: 1796040545215.19,
    proto: "tcp",
    src: { host: "127.0.0.1", port: 39871 },
    dst: { host: "127.0.0.1", port: 44956 },
    flags: "P.",
    seq: 1127538003,
    seqEnd: 1127538011,
    ack: 2666237785,
    length: 8,
  });
  assert.deepEqual(
    all.map((packet) => packet.flags).slice(0, 3),
    ["S", "S.", "."],
    "the handshake",
  );
  assert.ok(all.every((packet, i) => i === 0 || packet.time >= all[i - 1].time), "in time order");
});

Deno.test("parseTcpdumpLine() ignores what is not a packet: tcpdump's own messages, blank lines", () => {
  for (
    const line of [
      "tcpdump: verbose output suppressed, use -v[v]... for full protocol decode",
      "listening on lo, link-type EN10MB (Ethernet), snapshot length 128 bytes",
      "30 packets captured",
      "0 packets dropped by kernel",
      "",
      "1796040545.209516 ARP, Request who-has 127.0.0.1 tell 127.0.0.1, length 28",
    ]
  ) {
    assert.equal(parseTcpdumpLine(line), undefined, line);
  }
});

Deno.test("flagNames() names tcpdump's flag letters: SYN, SYN-ACK, ACK, PSH, FIN, RST", () => {
  assert.deepEqual(
    ["S", "S.", ".", "P.", "F.", "FP.", "R", "R."].map(flagNames),
    ["SYN", "SYN-ACK", "ACK", "PSH ACK", "FIN ACK", "FIN PSH ACK", "RST", "RST ACK"],
  );
});

Deno.test("Conversations.segment() shows lesson 03's client conversation with relative numbers: handshake, Welcome!, a name, exit, FINs", () => {
  assert.deepEqual(conversation(hello, 44956), [
    "client SYN  seq 0",
    "server SYN-ACK  seq 0  ack 1",
    "client ACK  ack 1",
    "server PSH ACK  8 bytes  seq 1:9  ack 1", // Welcome!
    "client ACK  ack 9",
    "client PSH ACK  5 bytes  seq 1:6  ack 9", // Alice
    "server ACK  ack 6",
    "server PSH ACK  13 bytes  seq 9:22  ack 6", // Hello, Alice!
    "client PSH ACK  4 bytes  seq 6:10  ack 22", // exit
    "server FIN ACK  seq 22  ack 10", // the server closes first, on exit
    "client FIN ACK  seq 10  ack 23",
    "server ACK  ack 11",
  ]);
});

Deno.test("Conversations.segment() shows a half-close: the client's FIN comes first, the server answers, then closes", () => {
  assert.deepEqual(conversation(hello, 44966), [
    "client SYN  seq 0",
    "server SYN-ACK  seq 0  ack 1",
    "client ACK  ack 1",
    "server PSH ACK  8 bytes  seq 1:9  ack 1",
    "client ACK  ack 9",
    "client PSH ACK  3 bytes  seq 1:4  ack 9", // Bob
    "server ACK  ack 4",
    "server PSH ACK  11 bytes  seq 9:20  ack 4", // Hello, Bob!
    "client FIN ACK  seq 4  ack 20", // shutdown(SHUT_WR): read() at the server returns null
    "server FIN ACK  seq 20  ack 5",
    "client ACK  ack 21",
  ]);
});

Deno.test("Conversations.segment() shows a reset: one RST and no FIN", () => {
  const seen = conversation(hello, 44982);
  assert.equal(seen.at(-1), "client RST ACK  seq 1  ack 9");
  assert.ok(!seen.some((line) => line.includes("FIN")));
});

Deno.test("Conversations.segment() keeps only the traced conversations' packets, numbered as the trace numbers them", () => {
  const conversations = new Conversations();
  conversations.stream(tcp(39871), tcp(44966), "server", "server"); // only the second client was traced
  const kept = packets(hello).map((packet) => conversations.segment(packet, 0));
  assert.equal(kept.filter((segment) => segment !== undefined).length, 29);
  // Every packet to the port a traced server accepted on is kept: a SYN the
  // server never accepted would show too. Each other client is its own #n.
  assert.deepEqual(conversations.all.map((c) => c.client), [
    "127.0.0.1:44966",
    "127.0.0.1:44956",
    "127.0.0.1:44982",
  ]);
  const other = new Conversations();
  other.stream(tcp(5000), tcp(6000), "client", "client");
  assert.ok(packets(hello).every((packet) => other.segment(packet, 0) === undefined));
});

Deno.test("Conversations.segment() shows one 100 KiB write leaving as three large segments over IPv6", () => {
  const conversations = new Conversations();
  const v6 = (port: number) => ({ transport: "tcp", hostname: "::1", port }) as const;
  conversations.stream(v6(37704), v6(39873), "client", "client");
  const data = packets(bulk).map((packet) => conversations.segment(packet, 0))
    .filter((segment) => segment?.from === "client" && segment.length > 0);
  assert.deepEqual(data.map((segment) => segment?.length), [32732, 32732, 36936]);
  assert.equal(data.reduce((sum, segment) => sum + (segment?.length ?? 0), 0), 100 * 1024);
  // The first is not pushed: the sender had more to come.
  assert.deepEqual(data.map((segment) => segment?.flags), ["ACK", "PSH ACK", "PSH ACK"]);
  assert.equal(conversations.all[0].client, "[::1]:37704");
});

Deno.test("Conversations.segment() files UDP datagrams under the traced socket, sender first", () => {
  const conversations = new Conversations();
  conversations.datagramSocket({ transport: "udp", hostname: "127.0.0.1", port: 39874 }, "server");
  const datagrams = packets(bulk).map((packet) => conversations.segment(packet, 1.5))
    .filter((segment) => segment !== undefined);
  assert.deepEqual(
    datagrams.map((segment) => formatEntry(segment!, conversations.get(segment!.conn))),
    [
      "     1.50 ms  wire   #1  client → server  UDP  7 bytes",
      "     1.50 ms  wire   #1  server → client  UDP  15 bytes",
    ],
  );
});

Deno.test("SequenceNumbers: a connect to a closed port is a SYN answered by RST ACK, which has no number of its own", () => {
  const numbers = new SequenceNumbers();
  const refused = packets(bulk).filter((packet) =>
    packet.dst.port === 39875 || packet.src.port === 39875
  );
  assert.deepEqual(refused.map((packet) => flagNames(packet.flags)), ["SYN", "RST ACK"]);
  assert.deepEqual(refused.map((packet) => numbers.relative(packet)), [
    { seq: 0, seqEnd: undefined, ack: undefined },
    { seq: undefined, seqEnd: undefined, ack: 1 },
  ]);
});

Deno.test("SequenceNumbers wrap around 2^32", () => {
  const numbers = new SequenceNumbers();
  const at = (line: string) => numbers.relative(parseTcpdumpLine(`1.000001 IP ${line}`)!);
  at("127.0.0.1.5000 > 127.0.0.1.80: Flags [S], seq 4294967290, win 1, length 0");
  assert.deepEqual(
    at("127.0.0.1.5000 > 127.0.0.1.80: Flags [P.], seq 4294967291:3, ack 9, win 1, length 8"),
    { seq: 1, seqEnd: 9, ack: 1 },
  );
});

Deno.test("Conversations.listening() keeps the segments to a traced listener, even of a connection never accepted", () => {
  const conversations = new Conversations();
  conversations.listening({ transport: "tcp", hostname: "0.0.0.0", port: 39871 });
  const kept = packets(hello).map((packet) => conversations.segment(packet, 0));
  assert.ok(kept.every((segment) => segment !== undefined));
  assert.equal(conversations.all.length, 3);
  assert.equal(kept[0]?.flags, "SYN");
  assert.equal(kept[0]?.from, "client");
});

Deno.test("Conversations.stream() pairs Unix domain connections in order: the k-th connect to a path with its k-th accept", () => {
  const conversations = new Conversations();
  const path = { transport: "unix", path: "/tmp/hello.sock" } as const;
  const unnamed = { transport: "unix", path: "" } as const;
  const first = conversations.stream(unnamed, path, "client", "client").id;
  const second = conversations.stream(unnamed, path, "client", "client").id;
  assert.equal(conversations.stream(path, unnamed, "server", "server").id, first);
  assert.equal(conversations.stream(path, unnamed, "server", "server").id, second);
  assert.notEqual(first, second);
  assert.equal(conversations.get(first)?.proto, "unix");
});
