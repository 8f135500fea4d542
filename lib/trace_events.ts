/**
 * What `--trace` records and how it prints it. Two kinds of entries share one
 * timeline: a {@linkcode TraceEvent} is something the program did with a
 * socket (connect, write, read...); a {@linkcode WireSegment} is a packet
 * tcpdump saw (`--capture`). {@linkcode Conversations} numbers the
 * connections, so that both ends of one connection, and its packets, carry
 * the same `#n`.
 *
 * @module
 */

import { describeAddr, formatAddr } from "./addr.ts";
import { flagNames, type Packet, SequenceNumbers } from "./capture_parse.ts";

/** The end of a conversation an entry belongs to: the left or the right lifeline. */
export type Role = "client" | "server";

/** What the program did with a socket. */
export type EventKind =
  | "connect"
  | "accept"
  | "write"
  | "read"
  | "EOF"
  | "closeWrite"
  | "reset"
  | "close"
  | "send"
  | "receive"
  | "error";

/** How many bytes of each read or write an event keeps to show. */
export const PREVIEW_BYTES = 48;

/** One socket call, as `--trace` prints it. */
export interface TraceEvent {
  /** An event. */
  type: "event";
  /** Milliseconds since tracing started. */
  at: number;
  /** The conversation's number: the `#n` both ends share. */
  conn: number;
  /** The label the lesson gave (`client`, `server`, ...). */
  side: string;
  /** Which end of the conversation did it. */
  role: Role;
  /** What happened. */
  kind: EventKind;
  /** connect/accept: this end; send/receive: the peer. */
  addr?: string;
  /** connect/accept: the other end. */
  peer?: string;
  /** Bytes taken (write), read, sent or received. */
  n?: number;
  /** write: bytes offered. */
  offered?: number;
  /** The first {@linkcode PREVIEW_BYTES} bytes, copied. */
  bytes?: Uint8Array;
  /** reset and error: which call failed, with what. */
  detail?: string;
}

/** One packet of a traced conversation, as tcpdump saw it. */
export interface WireSegment {
  /** A segment (TCP) or datagram (UDP). */
  type: "segment";
  /** Milliseconds since tracing started (tcpdump's clock, matched to ours). */
  at: number;
  /** The conversation's number. */
  conn: number;
  /** TCP or UDP. */
  proto: "tcp" | "udp";
  /** Which end sent it. */
  from: Role;
  /** Flags in words: `SYN`, `SYN-ACK`, `ACK`, `PSH ACK`, `FIN ACK`, `RST`; `UDP` for a datagram. */
  flags: string;
  /** Relative sequence number of its first byte. */
  seq?: number;
  /** Relative sequence number after its last byte. */
  seqEnd?: number;
  /** Relative acknowledgment number. */
  ack?: number;
  /** Payload bytes. */
  length: number;
}

/** Anything on the timeline. */
export type Entry = TraceEvent | WireSegment;

/** One connection (or one UDP socket pair): two lifelines in the diagram. */
export interface Conversation {
  /** Its number, `#n`. */
  id: number;
  /** `tcp`, `udp`, or `unix` (a Unix domain socket). */
  proto: "tcp" | "udp" | "unix";
  /** The end that connected (or sent first): its address. */
  client: string;
  /** The end that accepted: its address. */
  server: string;
  /** What the lesson called the client end (`client` unless told). */
  clientLabel: string;
  /** What the lesson called the server end. */
  serverLabel: string;
}

/**
 * Numbers conversations and files captured packets under them. A packet
 * belongs to a conversation when its two addresses are the two ends of a
 * traced connection, when it goes to a port a traced server accepted on (a
 * SYN the server never accepted), or to or from a traced UDP socket.
 *
 * @example Both ends of one connection share a number; its packets too
 * ```ts
 * import { Conversations } from "./trace_events.ts";
 * import assert from "node:assert/strict";
 *
 * const conversations = new Conversations();
 * const a = { transport: "tcp", hostname: "127.0.0.1", port: 50000 } as const;
 * const b = { transport: "tcp", hostname: "127.0.0.1", port: 9999 } as const;
 * assert.equal(conversations.stream(a, b, "client", "client").id, 1);
 * assert.equal(conversations.stream(b, a, "server", "server").id, 1);
 * const syn = {
 *   time: 0, proto: "tcp", flags: "S", seq: 77, length: 0,
 *   src: { host: "127.0.0.1", port: 50000 }, dst: { host: "127.0.0.1", port: 9999 },
 * } as const;
 * const segment = conversations.segment(syn, 0);
 * assert.equal(segment?.conn, 1);
 * assert.equal(segment?.from, "client");
 * assert.equal(segment?.flags, "SYN");
 * ```
 */
export class Conversations {
  readonly #byKey = new Map<string, Conversation>();
  readonly #list: Conversation[] = [];
  /** Addresses traced servers listen or accepted on: `127.0.0.1:9999`, `*:9999` for every interface. */
  readonly #listening = new Set<string>();
  /** Traced UDP sockets' addresses (`*:port` when bound to every interface), with their label. */
  readonly #datagramSockets = new Map<string, string>();
  readonly #numbers = new SequenceNumbers();
  /** How many Unix connections each path has seen, per end: `client unix:/tmp/x.sock` → 2. */
  readonly #unixCounts = new Map<string, number>();

  /** Every conversation so far, by number. */
  get all(): readonly Conversation[] {
    return this.#list;
  }

  /** A conversation by number. */
  get(id: number): Conversation | undefined {
    return this.#list[id - 1];
  }

  /** The stream connection between `local` and `remote`, seen from the end in `role`. */
  stream(local: Deno.Addr, remote: Deno.Addr, role: Role, label: string): Conversation {
    const here = addrString(local);
    const there = addrString(remote);
    if (role === "server" && local.transport === "tcp") this.#listening.add(here);
    // A Unix client has no name: two clients of one socket look alike. The
    // kernel hands connections out in the order they came, so the k-th
    // connect to a path is paired with the k-th accept on it.
    const key = local.transport === "tcp" ? pairKey(here, there) : this.#unixKey(role, here, there);
    const ends = role === "client"
      ? { client: here, server: there }
      : { client: there, server: here };
    const proto = local.transport === "tcp" ? "tcp" : "unix";
    const conversation = this.#find(key) ?? this.#add(key, proto, ends);
    this.#label(conversation, here, label);
    return conversation;
  }

  /** The conversation of a traced UDP socket at `local` with `peer`, and which end `local` is. */
  datagram(
    local: Deno.Addr,
    peer: Deno.Addr,
    label: string,
  ): { conversation: Conversation; role: Role } {
    const there = addrString(peer);
    const here = concreteAddr(local, peer);
    const key = pairKey(here, there);
    const ends = label === "server"
      ? { client: there, server: here }
      : { client: here, server: there };
    const conversation = this.#find(key) ?? this.#add(key, "udp", ends);
    this.#label(conversation, here, label);
    return { conversation, role: roleOf(conversation, here) };
  }

  /** Remembers a listening address, so that every segment to it is kept (even a SYN never accepted). */
  listening(local: Deno.Addr): void {
    if (local.transport !== "tcp") return;
    this.#listening.add(wildcardKey(local) ?? addrString(local));
  }

  /** Remembers a traced UDP socket, so that datagrams to and from it are kept. */
  datagramSocket(local: Deno.Addr, label: string): void {
    if (local.transport !== "udp") return;
    this.#datagramSockets.set(wildcardKey(local) ?? addrString(local), label);
  }

  /**
   * `packet` as a {@linkcode WireSegment} of a traced conversation, at `at`
   * ms on the trace's clock; `undefined` if it is someone else's.
   */
  segment(packet: Packet, at: number): WireSegment | undefined {
    const src = formatAddr({ hostname: packet.src.host, port: packet.src.port });
    const dst = formatAddr({ hostname: packet.dst.host, port: packet.dst.port });
    const key = pairKey(src, dst);
    let conversation = this.#find(key);
    if (conversation === undefined && packet.proto === "tcp") {
      if (this.#isListening(packet.dst, dst)) {
        conversation = this.#add(key, "tcp", { client: src, server: dst });
      } else if (this.#isListening(packet.src, src)) {
        conversation = this.#add(key, "tcp", { client: dst, server: src });
      }
    }
    if (conversation === undefined && packet.proto === "udp") {
      const srcLabel = this.#socketLabel(packet.src);
      const dstLabel = this.#socketLabel(packet.dst);
      if (srcLabel !== undefined || dstLabel !== undefined) {
        const serverIsSrc = srcLabel === "server" && dstLabel !== "server";
        conversation = this.#add(
          key,
          "udp",
          serverIsSrc ? { client: dst, server: src } : { client: src, server: dst },
        );
        if (srcLabel !== undefined) this.#label(conversation, src, srcLabel);
        if (dstLabel !== undefined) this.#label(conversation, dst, dstLabel);
      }
    }
    if (conversation === undefined) return undefined;
    const from: Role = src === conversation.client ? "client" : "server";
    if (packet.proto === "udp") {
      return {
        type: "segment",
        at,
        conn: conversation.id,
        proto: "udp",
        from,
        flags: "UDP",
        length: packet.length,
      };
    }
    return {
      type: "segment",
      at,
      conn: conversation.id,
      proto: "tcp",
      from,
      flags: flagNames(packet.flags),
      ...this.#numbers.relative(packet),
      length: packet.length,
    };
  }

  #find(key: string): Conversation | undefined {
    return this.#byKey.get(key);
  }

  #add(key: string, proto: Conversation["proto"], ends: { client: string; server: string }) {
    const conversation: Conversation = {
      id: this.#list.length + 1,
      proto,
      ...ends,
      clientLabel: "client",
      serverLabel: "server",
    };
    this.#byKey.set(key, conversation);
    this.#list.push(conversation);
    return conversation;
  }

  #label(conversation: Conversation, end: string, label: string): void {
    if (end === conversation.client) conversation.clientLabel = label;
    else conversation.serverLabel = label;
  }

  #unixKey(role: Role, here: string, there: string): string {
    const path = role === "client" ? there : here;
    const counter = `${role} ${path}`;
    const k = (this.#unixCounts.get(counter) ?? 0) + 1;
    this.#unixCounts.set(counter, k);
    return `${path}#${k}`;
  }

  #isListening(end: { port: number }, addr: string): boolean {
    return this.#listening.has(addr) || this.#listening.has(`*:${end.port}`);
  }

  #socketLabel(end: { host: string; port: number }): string | undefined {
    return this.#datagramSockets.get(formatAddr({ hostname: end.host, port: end.port })) ??
      this.#datagramSockets.get(`*:${end.port}`);
  }
}

/** An address as the trace prints it: `127.0.0.1:9999`, `[::1]:9999`, `unix:/path`. */
export function addrString(addr: Deno.Addr): string {
  return describeAddr(addr);
}

/** Which end of `conversation` the address `end` is. */
export function roleOf(conversation: Conversation, end: string): Role {
  return end === conversation.client ? "client" : "server";
}

/** The same key for both directions of one conversation. */
function pairKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}

const WILDCARDS = new Set(["0.0.0.0", "::"]);

/** `*:port` for a socket bound to every interface (`0.0.0.0`), else `undefined`. */
function wildcardKey(addr: Deno.NetAddr): string | undefined {
  return WILDCARDS.has(addr.hostname) ? `*:${addr.port}` : undefined;
}

/**
 * A socket bound to every interface (`0.0.0.0:9999`) talks to a loopback
 * peer from the peer's own address family: on the wire it is `127.0.0.1:9999`.
 */
function concreteAddr(local: Deno.Addr, peer: Deno.Addr): string {
  if (local.transport !== "udp" || peer.transport !== "udp" || !WILDCARDS.has(local.hostname)) {
    return addrString(local);
  }
  return formatAddr({ hostname: peer.hostname, port: local.port });
}

// ── Printing ────────────────────────────────────────────────────────────────

/**
 * One entry as a line of `--trace`: the time, who, and what.
 *
 * @example
 * ```ts
 * import { formatEntry } from "./trace_events.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode("Welcome!");
 * assert.equal(
 *   formatEntry({ type: "event", at: 4.2, conn: 1, side: "client", role: "client", kind: "read", n: 8, bytes }),
 *   '     4.20 ms  client #1  read 8  "Welcome!"  57 65 6c 63 6f 6d 65 21',
 * );
 * assert.equal(
 *   formatEntry({ type: "segment", at: 4.1, conn: 1, proto: "tcp", from: "server", flags: "PSH ACK", seq: 1, seqEnd: 9, ack: 1, length: 8 }),
 *   "     4.10 ms  wire   #1  server → client  PSH ACK  8 bytes  seq 1:9  ack 1",
 * );
 * ```
 */
export function formatEntry(entry: Entry, conversation?: Conversation): string {
  const time = `${entry.at.toFixed(2).padStart(9)} ms`;
  if (entry.type === "segment") {
    const labels = conversation ?? { clientLabel: "client", serverLabel: "server" };
    const [from, to] = entry.from === "client"
      ? [labels.clientLabel, labels.serverLabel]
      : [labels.serverLabel, labels.clientLabel];
    return `${time}  ${"wire".padEnd(6)} #${entry.conn}  ${from} → ${to}  ${
      describeSegment(entry)
    }`;
  }
  return `${time}  ${entry.side.padEnd(6)} #${entry.conn}  ${describeEvent(entry)}`;
}

/** A segment's flags, length and numbers: `PSH ACK  8 bytes  seq 1:9  ack 1`. */
export function describeSegment(segment: WireSegment): string {
  const parts = [segment.flags];
  if (segment.length > 0 || segment.proto === "udp") parts.push(`${segment.length} bytes`);
  if (segment.seq !== undefined) {
    parts.push(
      segment.seqEnd === undefined ? `seq ${segment.seq}` : `seq ${segment.seq}:${segment.seqEnd}`,
    );
  }
  if (segment.ack !== undefined) parts.push(`ack ${segment.ack}`);
  return parts.join("  ");
}

/** What the program did, in a few words: `write 8 of 8  "Welcome!"  57 65 ...`. */
export function describeEvent(event: TraceEvent): string {
  const bytes = event.bytes === undefined ? "" : `  ${previewBytes(event.bytes, event.n ?? 0)}`;
  switch (event.kind) {
    case "connect":
      return `connect ${event.addr} → ${event.peer}`;
    case "accept":
      return `accept ${event.addr} ← ${event.peer}`;
    case "write":
      return `write ${event.n} of ${event.offered}${bytes}`;
    case "read":
      return `read ${event.n}${bytes}`;
    case "EOF":
      return "EOF: read() returned null (a FIN arrived: the peer will send no more)";
    case "closeWrite":
      return "closeWrite: we send FIN (we will send no more; reading goes on)";
    case "reset":
      return `reset: ${event.detail}`;
    case "close":
      return "close";
    case "send":
      return `send ${event.n} → ${event.addr}${bytes}`;
    case "receive":
      return `receive ${event.n} ← ${event.addr}${bytes}`;
    case "error":
      return `${event.detail}`;
  }
}

const HEX_BYTES = 16;
const TEXT_CHARS = 32;
// Control characters other than tab, newline and carriage return: binary data.
// deno-lint-ignore no-control-regex
const BINARY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * Bytes as text (when they are text) and hex, shortened: the first
 * {@linkcode TEXT_CHARS} characters and 16 bytes, `…` for the rest.
 *
 * @example
 * ```ts
 * import { previewBytes } from "./trace_events.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(previewBytes(new TextEncoder().encode("hi\n"), 3), '"hi\\n"  68 69 0a');
 * assert.equal(previewBytes(new Uint8Array(20), 1024), "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 … (1024 bytes)");
 * ```
 */
export function previewBytes(bytes: Uint8Array, total: number): string {
  const hex = [...bytes.subarray(0, HEX_BYTES)].map((b) => b.toString(16).padStart(2, "0"));
  const hexPart = total > HEX_BYTES ? `${hex.join(" ")} … (${total} bytes)` : hex.join(" ");
  const text = previewText(bytes, total);
  return text === undefined ? hexPart : `${text}  ${hexPart}`;
}

/**
 * Bytes as quoted text, shortened to {@linkcode TEXT_CHARS} characters; or
 * `undefined` when they are not text (control characters other than tab and
 * line ends).
 *
 * @example
 * ```ts
 * import { previewText } from "./trace_events.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(previewText(new TextEncoder().encode("张三"), 6), '"张三"');
 * assert.equal(previewText(new Uint8Array([0, 1]), 2), undefined);
 * ```
 */
export function previewText(bytes: Uint8Array, total: number): string | undefined {
  // `stream: true` leaves out a character cut at the end of the preview.
  const text = new TextDecoder().decode(bytes, { stream: true });
  if (BINARY.test(text)) return undefined;
  const chars = [...text];
  const shown = chars.slice(0, TEXT_CHARS).join("");
  const cut = chars.length > TEXT_CHARS || total > bytes.length;
  return `${JSON.stringify(shown)}${cut ? "…" : ""}`;
}
