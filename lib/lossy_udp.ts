/**
 * A lossy link for UDP lessons: a relay that sits between a client and a
 * server and does to their datagrams what a real network is allowed to do.
 * It drops some, sends some twice, delays some and lets a later datagram
 * overtake an earlier one. On loopback none of that happens by itself, so a
 * client that forgot UDP promises nothing would look correct; through this
 * relay it doesn't.
 *
 *     client ──▶ relay front port ──▶ (a socket per client) ──▶ server
 *     client ◀── relay front port ◀── (a socket per client) ◀── server
 *
 * Like a NAT, the relay gives each client address its own upstream socket
 * (its own port), so it knows whom a reply from the server is for. Every
 * decision comes from a seeded random generator, one per client and
 * direction: with the same seed, the n-th datagram of the k-th client to
 * show up meets the same fate on every run, however the datagrams of
 * different clients interleave.
 *
 * @module
 */

import { formatAddr, LOOPBACK, netAddr } from "./addr.ts";
import { isClosedError } from "./errors.ts";
import { type Log, silent } from "./log.ts";
import { type Random, randomInt, seededRandom } from "./random.ts";
import type { RunningServer } from "./server.ts";
import { bindUdp } from "./udp.ts";

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
export interface LossyUdpRelay extends RunningServer {
  /** What it has done so far. */
  readonly stats: Readonly<RelayStats>;
}

/**
 * Draws the fate of one datagram. Always draws five numbers, whatever the
 * outcome, so the n-th datagram's fate depends only on the seed and n.
 *
 * @example
 * ```ts
 * import { decideFate } from "./lossy_udp.ts";
 * import { seededRandom } from "./random.ts";
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

/** What `setTimeout` returns. */
type Timer = ReturnType<typeof setTimeout>;

/** A datagram waiting to be sent. */
interface Parcel {
  data: Uint8Array;
  copies: number;
}

/** One direction of one client's traffic. */
interface Lane {
  random: Random;
  seq: number;
  held?: { parcel: Parcel; seq: number; timer: Timer };
}

/** One client: its address, its upstream socket, its two lanes. */
interface Flow {
  number: number;
  client: Deno.NetAddr;
  upstream: Deno.DatagramConn;
  lanes: Record<Direction, Lane>;
}

/**
 * Starts a relay in front of a UDP server. Clients send to `relay.addr`; the
 * relay passes each datagram on (or not) according to its faults, and passes
 * the server's replies back the same way. `close()` closes every socket and
 * cancels every pending delay.
 *
 * @example Half of the datagrams go missing, the same half on every run
 * ```ts
 * import { startLossyUdpRelay } from "./lossy_udp.ts";
 * import { bindUdp, udpRequest } from "./udp.ts";
 * import assert from "node:assert/strict";
 *
 * // An echo server.
 * const server = bindUdp({ port: 0 });
 * const serving = (async () => {
 *   try {
 *     while (true) {
 *       const [data, from] = await server.receive();
 *       await server.send(data, from);
 *     }
 *   } catch {
 *     // closed: the loop ends
 *   }
 * })();
 * const relay = startLossyUdpRelay({
 *   target: server.addr as Deno.NetAddr,
 *   loss: 0.5,
 *   seed: 7,
 * });
 * const reply = await udpRequest(new TextEncoder().encode("ping"), {
 *   port: relay.addr.port,
 *   timeoutMs: 100,
 *   tries: 20,
 * });
 * assert.equal(new TextDecoder().decode(reply), "ping");
 * assert.ok(relay.stats.requests >= 1);
 * await relay.close();
 * server.close();
 * await serving;
 * ```
 */
export function startLossyUdpRelay(options: LossyUdpRelayOptions): LossyUdpRelay {
  return new Relay(options);
}

/** Checks that a rate is a chance: a number from 0 to 1. */
function checkRate(name: string, value: number | undefined): void {
  if (value !== undefined && !(value >= 0 && value <= 1)) {
    throw new RangeError(`${name} must be a chance from 0 to 1, got ${value}`);
  }
}

/** A seed per client and direction, spread out so that nearby seeds differ. */
function laneSeed(seed: number, flow: number, direction: Direction): number {
  const lane = flow * 2 + (direction === "request" ? 0 : 1);
  return (Math.imul(seed, 0x85ebca6b) ^ Math.imul(lane, 0x9e3779b1)) >>> 0;
}

/** The relay itself; {@linkcode startLossyUdpRelay} is its public face. */
class Relay implements LossyUdpRelay {
  readonly addr: Deno.NetAddr;
  readonly finished: Promise<void>;
  readonly stats: RelayStats = {
    requests: 0,
    replies: 0,
    dropped: 0,
    duplicated: 0,
    delayed: 0,
    reordered: 0,
  };

  #options: LossyUdpRelayOptions;
  #log: Log;
  #host: string;
  #target: Deno.NetAddr;
  #front: Deno.DatagramConn;
  #flows = new Map<string, Flow>();
  #flowCount = 0;
  #pumps = new Set<Promise<void>>();
  #sending = new Set<Promise<void>>();
  #timers = new Set<Timer>();
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  #closing: Promise<void> | undefined;
  #stopped!: () => void;

  constructor(options: LossyUdpRelayOptions) {
    for (const name of ["loss", "duplicate", "delay", "reorder"] as const) {
      checkRate(name, options[name]);
    }
    this.#options = options;
    this.#log = options.log ?? silent;
    this.#host = options.host ?? LOOPBACK;
    this.#target = { transport: "udp", ...options.target };
    this.#front = bindUdp({ host: this.#host, port: options.port ?? 0 });
    this.addr = netAddr(this.#front.addr);
    this.finished = new Promise((resolve) => this.#stopped = resolve);
    this.#log(
      `Relaying ${formatAddr(this.addr)} → ${formatAddr(this.#target)}: ` +
        `${percent(options.loss)} loss, ${percent(options.duplicate)} duplicated, ` +
        `${percent(options.delay)} delayed up to ${options.delayMs ?? 50} ms, ` +
        `${percent(options.reorder)} reordered (seed ${options.seed ?? 1})`,
    );
    this.#pump(this.#front, (data, from) => this.#pass(this.#flowFor(from), "request", data));
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      for (const timer of this.#timers) clearTimeout(timer);
      this.#timers.clear();
      // Closing a socket makes its pending receive() fail: each pump ends.
      this.#front.close();
      for (const flow of this.#flows.values()) flow.upstream.close();
      this.#flows.clear();
      while (this.#pumps.size > 0 || this.#sending.size > 0) {
        await Promise.all([...this.#pumps, ...this.#sending]);
      }
      this.#stopped();
    })();
    return this.#closing;
  }

  /** Receives from `socket` until it is closed, handing each datagram to `handle`. */
  #pump(socket: Deno.DatagramConn, handle: (data: Uint8Array, from: Deno.NetAddr) => void): void {
    const pumping = (async () => {
      while (true) {
        let data: Uint8Array, from: Deno.Addr;
        try {
          [data, from] = await socket.receive();
        } catch (err) {
          if (this.#closed || isClosedError(err)) return;
          // One bad datagram (or an ICMP error some systems report) must not stop the relay.
          this.#log(`receive failed: ${err instanceof Error ? err.message : err}`);
          continue;
        }
        try {
          handle(data, netAddr(from));
        } catch (err) {
          // E.g. no free port for a new client's upstream socket: drop this datagram only.
          this.#log(`datagram dropped: ${err instanceof Error ? err.message : err}`);
        }
      }
    })();
    this.#pumps.add(pumping);
    pumping.finally(() => this.#pumps.delete(pumping));
  }

  /** The flow of a client address, created (with its upstream socket) on first sight. */
  #flowFor(client: Deno.NetAddr): Flow {
    const key = formatAddr(client);
    const known = this.#flows.get(key);
    if (known) return known;
    this.#forgetOldestIfFull();
    const number = ++this.#flowCount;
    const seed = this.#options.seed ?? 1;
    const upstream = bindUdp({ host: this.#host, port: 0 });
    const flow: Flow = {
      number,
      client,
      upstream,
      lanes: {
        request: { random: seededRandom(laneSeed(seed, number, "request")), seq: 0 },
        reply: { random: seededRandom(laneSeed(seed, number, "reply")), seq: 0 },
      },
    };
    this.#flows.set(key, flow);
    this.#pump(upstream, (data) => this.#pass(flow, "reply", data));
    return flow;
  }

  /** Bounds memory: a relay in front of a busy server must not keep a socket per client forever. */
  #forgetOldestIfFull(): void {
    if (this.#flows.size < (this.#options.maxClients ?? 256)) return;
    const [key, oldest] = this.#flows.entries().next().value!;
    this.#flows.delete(key);
    for (const lane of Object.values(oldest.lanes)) {
      if (lane.held) this.#cancel(lane.held.timer);
    }
    oldest.upstream.close();
  }

  /** Decides the fate of one datagram and carries it out. */
  #pass(flow: Flow, direction: Direction, data: Uint8Array): void {
    if (this.#closed) return;
    const lane = flow.lanes[direction];
    if (direction === "request") this.stats.requests++;
    else this.stats.replies++;
    const fate = decideFate(lane.random, this.#options);
    const event: RelayEvent = {
      direction,
      client: flow.client,
      flow: flow.number,
      seq: ++lane.seq,
      size: data.length,
      fate,
    };
    this.#options.onEvent?.(event);
    this.#narrate(event, lane);
    if (fate.drop) {
      this.stats.dropped++;
      return;
    }
    const parcel: Parcel = { data, copies: fate.copies };
    if (fate.copies === 2) this.stats.duplicated++;
    if (fate.delayMs > 0) {
      this.stats.delayed++;
      this.#later(fate.delayMs, () => this.#send(flow, direction, parcel));
    } else if (fate.holdBack && lane.held === undefined) {
      const timer = this.#later(
        this.#options.holdMs ?? 20,
        () => this.#releaseHeld(flow, direction),
      );
      lane.held = { parcel, seq: event.seq, timer };
    } else {
      this.#send(flow, direction, parcel);
      if (lane.held) {
        this.stats.reordered++;
        this.#log(`${describe(direction, lane.held.seq, flow.client)}: overtaken by #${event.seq}`);
        this.#cancel(lane.held.timer);
        this.#releaseHeld(flow, direction);
      }
    }
  }

  /** One line for each fault injected; datagrams passed on untouched go unmentioned. */
  #narrate(event: RelayEvent, lane: Lane): void {
    const { fate } = event;
    const what = describe(event.direction, event.seq, event.client);
    if (fate.drop) return this.#log(`${what}: dropped`);
    const faults: string[] = [];
    if (fate.copies === 2) faults.push("duplicated");
    if (fate.delayMs > 0) faults.push(`delayed ${fate.delayMs} ms`);
    else if (fate.holdBack && lane.held === undefined) {
      faults.push("held back (a later one may overtake it)");
    }
    if (faults.length > 0) this.#log(`${what}: ${faults.join(", ")}`);
  }

  /** Sends the held datagram of a lane, if any. */
  #releaseHeld(flow: Flow, direction: Direction): void {
    const lane = flow.lanes[direction];
    const held = lane.held;
    if (held === undefined) return;
    lane.held = undefined;
    this.#send(flow, direction, held.parcel);
  }

  /** Sends a parcel on: requests from the client's upstream socket, replies from the front. */
  #send(flow: Flow, direction: Direction, parcel: Parcel): void {
    if (this.#closed) return;
    const [socket, to] = direction === "request"
      ? [flow.upstream, this.#target]
      : [this.#front, flow.client];
    for (let copy = 0; copy < parcel.copies; copy++) {
      // One send at a time, in order: Deno does not keep un-awaited send()s
      // in order (two sent back to back can arrive swapped), and the relay
      // must reorder only when it decides to.
      const sending = this.#queue.then(async () => {
        if (!this.#closed) await socket.send(parcel.data, to);
      }).then(() => {}, (err) => {
        // A client's socket forgotten or the relay closed meanwhile: nothing to do.
        if (!isClosedError(err)) {
          this.#log(`send failed: ${err instanceof Error ? err.message : err}`);
        }
      });
      this.#queue = sending;
      this.#sending.add(sending);
      sending.finally(() => this.#sending.delete(sending));
    }
  }

  /** Runs `action` after `ms`, unless the relay closes first. */
  #later(ms: number, action: () => void): Timer {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, ms);
    this.#timers.add(timer);
    return timer;
  }

  #cancel(timer: Timer): void {
    clearTimeout(timer);
    this.#timers.delete(timer);
  }
}

/** How the log names a datagram: `request #2 from 127.0.0.1:40001`. */
function describe(direction: Direction, seq: number, client: Deno.NetAddr): string {
  return direction === "request"
    ? `request #${seq} from ${formatAddr(client)}`
    : `reply #${seq} to ${formatAddr(client)}`;
}

/** `0.3` → `30%`. */
function percent(rate: number | undefined): string {
  return `${Math.round((rate ?? 0) * 100)}%`;
}
