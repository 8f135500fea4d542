/**
 * Reading tcpdump: one line of `tcpdump -n -tt -S` output becomes a
 * {@linkcode Packet} — when it was seen, from where to where, which TCP flags
 * it carried, its sequence and acknowledgment numbers and how many payload
 * bytes. `--capture` (see `capture.ts`) feeds every line through
 * {@linkcode parseTcpdumpLine}; {@linkcode SequenceNumbers} then makes the
 * numbers relative (the first byte of each direction is 1), the way a person
 * reads them.
 *
 * What a line looks like (`-tt`: seconds since 1970; `-S`: absolute numbers):
 *
 *     1796040063.797176 IP 127.0.0.1.51553 > 127.0.0.1.60848: Flags [P.], seq 1646959740:1646959748, ack 291576386, win 64, options [nop,nop,TS val 1 ecr 2], length 8
 *     1796040063.797367 IP 127.0.0.1.42417 > 127.0.0.1.42417: UDP, length 2
 *
 * @module
 */

/** One end of a packet: an IP address as tcpdump prints it, and a port. */
export interface Endpoint {
  /** `127.0.0.1` or `::1`. */
  host: string;
  /** The TCP or UDP port. */
  port: number;
}

/** One packet from tcpdump's output. */
export interface Packet {
  /** When the kernel saw it: milliseconds since 1970 (with microseconds). */
  time: number;
  /** TCP segment or UDP datagram. */
  proto: "tcp" | "udp";
  /** Who sent it. */
  src: Endpoint;
  /** Who it is for. */
  dst: Endpoint;
  /** TCP only: tcpdump's flag letters, `S` `.` `P` `F` `R` (`S.` is SYN-ACK). */
  flags: string;
  /** TCP: the sequence number of its first byte (absolute), if printed. */
  seq?: number;
  /** TCP: the sequence number after its last byte, if it carried bytes. */
  seqEnd?: number;
  /** TCP: the acknowledgment number (absolute), if the ACK flag is set. */
  ack?: number;
  /** Payload bytes (TCP data or the UDP datagram). */
  length: number;
}

const HEAD = /^(\d+)\.(\d{1,9}) IP6? (\S+)\.(\d+) > (\S+)\.(\d+): (.*)$/;
const TCP = /^Flags \[([^\]]*)\](?:, seq (\d+)(?::(\d+))?)?(?:, ack (\d+))?.*?, length (\d+)/;
const UDP = /^UDP, length (\d+)/;
/** tcpdump decodes some UDP ports (DNS, NTP...) and ends the line with `(N)`: the length. */
const DECODED_UDP = /\((\d+)\)$/;

/**
 * Reads one line of `tcpdump -n -tt -S` output. Lines that are not a TCP or
 * UDP packet (tcpdump's own messages, ICMP) give `undefined`.
 *
 * @example A data segment and a datagram
 * ```ts
 * import { parseTcpdumpLine } from "./capture_parse.ts";
 * import assert from "node:assert/strict";
 *
 * const segment = parseTcpdumpLine(
 *   "1796040063.797176 IP 127.0.0.1.51553 > 127.0.0.1.60848: Flags [P.], seq 1646959740:1646959748, ack 291576386, win 64, options [nop,nop,TS val 1 ecr 2], length 8",
 * );
 * assert.equal(segment?.flags, "P.");
 * assert.equal(segment?.length, 8);
 * assert.deepEqual(segment?.dst, { host: "127.0.0.1", port: 60848 });
 * const datagram = parseTcpdumpLine("1796040063.797367 IP 127.0.0.1.42417 > 127.0.0.1.9999: UDP, length 2");
 * assert.equal(datagram?.proto, "udp");
 * assert.equal(parseTcpdumpLine("listening on lo, link-type EN10MB (Ethernet)"), undefined);
 * ```
 */
export function parseTcpdumpLine(line: string): Packet | undefined {
  const head = HEAD.exec(line.trim());
  if (head === null) return undefined;
  const [, seconds, fraction, srcHost, srcPort, dstHost, dstPort, rest] = head;
  const time = Number(seconds) * 1000 + Number(`0.${fraction}`) * 1000;
  const src = { host: srcHost, port: Number(srcPort) };
  const dst = { host: dstHost, port: Number(dstPort) };
  const tcp = TCP.exec(rest);
  if (tcp !== null) {
    const [, flags, seq, seqEnd, ack, length] = tcp;
    return {
      time,
      proto: "tcp",
      src,
      dst,
      flags,
      seq: seq === undefined ? undefined : Number(seq),
      seqEnd: seqEnd === undefined ? undefined : Number(seqEnd),
      ack: ack === undefined ? undefined : Number(ack),
      length: Number(length),
    };
  }
  const udp = UDP.exec(rest) ?? (rest.startsWith("Flags") ? null : DECODED_UDP.exec(rest));
  if (udp !== null) return { time, proto: "udp", src, dst, flags: "", length: Number(udp[1]) };
  return undefined;
}

const FLAG_NAMES: Record<string, string> = {
  S: "SYN",
  F: "FIN",
  P: "PSH",
  R: "RST",
  U: "URG",
  E: "ECE",
  W: "CWR",
  ".": "ACK",
};

/**
 * tcpdump's flag letters in words: `S` → `SYN`, `S.` → `SYN-ACK` (the
 * handshake's second segment has its own name), `.` → `ACK`, `P.` →
 * `PSH ACK`, `F.` → `FIN ACK`, `R` → `RST`.
 *
 * @example
 * ```ts
 * import { flagNames } from "./capture_parse.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(flagNames("S"), "SYN");
 * assert.equal(flagNames("S."), "SYN-ACK");
 * assert.equal(flagNames("FP."), "FIN PSH ACK");
 * assert.equal(flagNames("R."), "RST ACK");
 * ```
 */
export function flagNames(letters: string): string {
  if (letters === "S.") return "SYN-ACK";
  const names = [...letters].map((letter) => FLAG_NAMES[letter] ?? letter);
  return names.join(" ") || "none";
}

/** A TCP segment's numbers, relative to the start of each direction. */
export interface RelativeNumbers {
  /** The first byte's number: 0 for a SYN, 1 for the first data byte. */
  seq?: number;
  /** The number after the last byte (only when it carries bytes). */
  seqEnd?: number;
  /** The next byte the sender expects from the other side. */
  ack?: number;
}

/**
 * Makes sequence numbers relative, per direction, the way Wireshark and
 * tcpdump (without `-S`) show them: each side picks a random initial number
 * (ISN) for its SYN, and counting from it the SYN is 0 and the first data
 * byte is 1. In a direction whose SYN was not seen, the first number seen
 * counts as 1.
 *
 * @example The handshake and the first data segment
 * ```ts
 * import { parseTcpdumpLine, SequenceNumbers } from "./capture_parse.ts";
 * import assert from "node:assert/strict";
 *
 * const numbers = new SequenceNumbers();
 * const at = (line: string) => numbers.relative(parseTcpdumpLine(`1.0 IP ${line}`)!);
 * assert.deepEqual(at("127.0.0.1.5000 > 127.0.0.1.80: Flags [S], seq 1000, win 1, length 0"), { seq: 0, seqEnd: undefined, ack: undefined });
 * assert.deepEqual(at("127.0.0.1.80 > 127.0.0.1.5000: Flags [S.], seq 7000, ack 1001, win 1, length 0"), { seq: 0, seqEnd: undefined, ack: 1 });
 * assert.deepEqual(at("127.0.0.1.5000 > 127.0.0.1.80: Flags [P.], seq 1001:1006, ack 7001, win 1, length 5"), { seq: 1, seqEnd: 6, ack: 1 });
 * ```
 */
export class SequenceNumbers {
  /** The initial sequence number of each direction, by `src>dst`. */
  readonly #bases = new Map<string, number>();

  /** `packet`'s numbers, relative; remembers the SYN's number of its direction. */
  relative(packet: Packet): RelativeNumbers {
    const forward = directionKey(packet.src, packet.dst);
    const backward = directionKey(packet.dst, packet.src);
    if (packet.seq !== undefined) {
      // A SYN starts its direction (it counts as 0); without one, the first
      // number seen counts as 1.
      const syn = packet.flags.includes("S");
      // A reset answering a SYN (nothing listens) has no number of its own.
      const refusal = packet.flags.includes("R") && !this.#bases.has(forward);
      if (syn || (!this.#bases.has(forward) && !refusal)) {
        this.#bases.set(forward, syn ? packet.seq : packet.seq - 1);
      }
    }
    if (packet.ack !== undefined && !this.#bases.has(backward)) {
      this.#bases.set(backward, packet.ack - 1);
    }
    const from = this.#bases.get(forward);
    const to = this.#bases.get(backward);
    return {
      seq: packet.seq === undefined || from === undefined ? undefined : distance(from, packet.seq),
      seqEnd: packet.seqEnd === undefined || from === undefined
        ? undefined
        : distance(from, packet.seqEnd),
      ack: packet.ack === undefined || to === undefined ? undefined : distance(to, packet.ack),
    };
  }
}

/** `a:port>b:port`: one direction of one conversation. */
function directionKey(src: Endpoint, dst: Endpoint): string {
  return `${src.host}.${src.port}>${dst.host}.${dst.port}`;
}

/** How far `to` is past `from`, counting modulo 2^32 (sequence numbers wrap). */
function distance(from: number, to: number): number {
  return (to - from + 2 ** 32) % 2 ** 32;
}
