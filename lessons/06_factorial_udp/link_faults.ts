/**
 * # 06 · What a network may do to datagrams
 *
 * UDP promises nothing: a datagram may be dropped, arrive twice, arrive late,
 * or be overtaken by a later one (RFC 768 promises none of that; RFC 8085
 * §3.3 tells applications to cope). On loopback only the first happens by
 * itself, when the receiver's buffer is full (lesson 04 drops 9,744 of a
 * burst of 10,000); duplication and reordering need a real network with
 * several paths and retransmitting links. So lesson 06 tests its client
 * through a relay (`lossy_relay.ts`) that does all four on purpose, at rates
 * it is told, each datagram's fate drawn here from a seeded generator: the
 * same seed, the same fates, a failure that can be replayed.
 *
 * @module
 */

import { formatAddr } from "../../lib/addr.ts";
import type { Log } from "../../lib/log.ts";
import { type Random, randomInt, seededRandom } from "../../lib/random.ts";

/** What the relay may do to datagrams. Each rate is a chance from 0 to 1, per datagram. */
export interface LinkFaults {
  /** Chance that a datagram is dropped. Default 0. */
  loss?: number;
  /** Chance that a datagram that gets through is sent twice. Default 0. */
  duplicate?: number;
  /** Chance that a datagram is delayed, by 1 to `delayMs` ms. Default 0. */
  delay?: number;
  /** The longest delay in ms. Default 50. */
  delayMs?: number;
  /**
   * Chance that a datagram is held back until the next one going the same way
   * has overtaken it (or until `holdMs` passes with no next one). Default 0.
   */
  reorder?: number;
}

/** What happens to one datagram: dropped, or sent (maybe twice, maybe late). */
export type Fate =
  | { drop: true }
  | {
    drop: false;
    /** 1, or 2 for a duplicate. */
    copies: 1 | 2;
    /** 0 to send at once, else how long to wait first. */
    delayMs: number;
    /** Wait for the next datagram to go first. */
    holdBack: boolean;
  };

/** Which way a datagram travels: `request` client → server, `reply` server → client. */
export type Direction = "request" | "reply";

/** One datagram's passage through the relay, as reported to `onEvent`. */
export interface RelayEvent {
  /** Which way it travels. */
  direction: Direction;
  /** The client it comes from or goes to. */
  client: Deno.NetAddr;
  /** The client's number, from 1, in the order clients first sent something. */
  flow: number;
  /** The datagram's number, from 1, within its client and direction. */
  seq: number;
  /** Its size in bytes. */
  size: number;
  /** What the relay decided to do with it. */
  fate: Fate;
}

/** Counts of what the relay did, since it started. */
export interface RelayStats {
  /** Datagrams that arrived from clients. */
  requests: number;
  /** Datagrams that arrived from the server. */
  replies: number;
  /** Datagrams dropped. */
  dropped: number;
  /** Datagrams sent twice. */
  duplicated: number;
  /** Datagrams delayed. */
  delayed: number;
  /** Datagrams that a later one overtook. */
  reordered: number;
}

/** Options for {@linkcode startLossyUdpRelay}. */
export interface LossyUdpRelayOptions extends LinkFaults {
  /** Where the real server is. */
  target: { hostname: string; port: number };
  /** Address the relay binds, for clients and for its upstream sockets. Default 127.0.0.1. */
  host?: string;
  /** Port clients send to. Default 0: any free port (see `addr`). */
  port?: number;
  /** Seed of the random decisions. Default 1. */
  seed?: number;
  /** How long a held-back datagram waits for one to overtake it, in ms. Default 20. */
  holdMs?: number;
  /** How many clients the relay remembers; the oldest is forgotten beyond that. Default 256. */
  maxClients?: number;
  /** Where the relay narrates each fault it injects. */
  log?: Log;
  /** Called for every datagram, with its fate, before it is sent on. */
  onEvent?: (event: RelayEvent) => void;
}

/** A running relay: send to `addr` instead of the server. */
export interface LossyUdpRelay {
  /** Where clients send. */
  readonly addr: Deno.NetAddr;
  /** What it has done so far. */
  readonly stats: Readonly<RelayStats>;
  /** Closes every socket and cancels every pending delay. */
  close(): Promise<void>;
  /** Resolves once closed. */
  readonly finished: Promise<void>;
}

/** A fresh count: nothing done yet. */
export function noStats(): RelayStats {
  return { requests: 0, replies: 0, dropped: 0, duplicated: 0, delayed: 0, reordered: 0 };
}

/**
 * Draws the fate of one datagram. Always draws five numbers, whatever the
 * outcome, so the n-th datagram's fate depends only on the seed and n.
 *
 * @example
 * ```ts
 * import { decideFate } from "./link_faults.ts";
 * import { seededRandom } from "../../lib/random.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(decideFate(seededRandom(1), { loss: 1 }), { drop: true });
 * assert.deepEqual(decideFate(seededRandom(1), {}), {
 *   drop: false,
 *   copies: 1,
 *   delayMs: 0,
 *   holdBack: false,
 * });
 * ```
 */
export function decideFate(random: Random, faults: LinkFaults): Fate {
  const lost = random() < (faults.loss ?? 0);
  const duplicated = random() < (faults.duplicate ?? 0);
  const delayed = random() < (faults.delay ?? 0);
  const delayMs = randomInt(random, 1, Math.max(1, faults.delayMs ?? 50));
  const heldBack = random() < (faults.reorder ?? 0);
  if (lost) return { drop: true };
  return {
    drop: false,
    copies: duplicated ? 2 : 1,
    delayMs: delayed ? delayMs : 0,
    holdBack: heldBack,
  };
}

/** Throws unless every rate in `faults` is a chance: a number from 0 to 1. */
export function checkRates(faults: LinkFaults): void {
  for (const name of ["loss", "duplicate", "delay", "reorder"] as const) {
    const value = faults[name];
    if (value !== undefined && !(value >= 0 && value <= 1)) {
      throw new RangeError(`${name} must be a chance from 0 to 1, got ${value}`);
    }
  }
}

/** What `setTimeout` returns. */
export type Timer = ReturnType<typeof setTimeout>;

/** A datagram waiting to be sent, once or twice. */
export interface Parcel {
  /** Its bytes. */
  data: Uint8Array;
  /** How many copies to send. */
  copies: number;
}

/** One direction of one client's traffic: its own fates, its count, the datagram it holds back. */
export interface Lane {
  /** Where its fates come from. */
  random: Random;
  /** How many datagrams it has seen. */
  seq: number;
  /** A datagram waiting to be overtaken, with its number and the timer that releases it anyway. */
  held?: { parcel: Parcel; seq: number; timer: Timer };
}

/** The two new lanes of client number `flow`, each with its fates seeded from `seed`. */
export function newLanes(seed: number, flow: number): Record<Direction, Lane> {
  const lane = (direction: Direction) => ({
    random: seededRandom(laneSeed(seed, flow, direction)),
    seq: 0,
  });
  return { request: lane("request"), reply: lane("reply") };
}

/** A seed per client and direction, spread out so that nearby seeds differ. */
function laneSeed(seed: number, flow: number, direction: Direction): number {
  const lane = flow * 2 + (direction === "request" ? 0 : 1);
  return (Math.imul(seed, 0x85ebca6b) ^ Math.imul(lane, 0x9e3779b1)) >>> 0;
}

/** The faults in words, for the relay's first log line. */
export function describeFaults(faults: LinkFaults): string {
  const percent = (rate: number | undefined) => `${Math.round((rate ?? 0) * 100)}%`;
  return `${percent(faults.loss)} loss, ${percent(faults.duplicate)} duplicated, ` +
    `${percent(faults.delay)} delayed up to ${faults.delayMs ?? 50} ms, ` +
    `${percent(faults.reorder)} reordered`;
}

/**
 * The log line for one datagram's fate: one for each fault injected, none
 * for a datagram passed on untouched. `holding`: its lane already holds one
 * back (so this one cannot be held too).
 */
export function narration(event: RelayEvent, holding: boolean): string | undefined {
  const { fate } = event;
  const what = describeDatagram(event.direction, event.seq, event.client);
  if (fate.drop) return `${what}: dropped`;
  const faults: string[] = [];
  if (fate.copies === 2) faults.push("duplicated");
  if (fate.delayMs > 0) faults.push(`delayed ${fate.delayMs} ms`);
  else if (fate.holdBack && !holding) faults.push("held back (a later one may overtake it)");
  return faults.length > 0 ? `${what}: ${faults.join(", ")}` : undefined;
}

/** How the log names a datagram: `request #2 from 127.0.0.1:40001`. */
export function describeDatagram(direction: Direction, seq: number, client: Deno.NetAddr): string {
  return direction === "request"
    ? `request #${seq} from ${formatAddr(client)}`
    : `reply #${seq} to ${formatAddr(client)}`;
}
