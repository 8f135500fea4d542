/**
 * # 06 · A lossy link, on purpose
 *
 * A relay between a client and a server that drops, duplicates, delays and
 * reorders their datagrams at the rates it is told (`link_faults.ts`), as a
 * real network may. Loopback only drops, and only when a buffer is full.
 *
 *     client ──▶ relay front port ──▶ (a socket per client) ──▶ server
 *     client ◀── relay front port ◀── (a socket per client) ◀── server
 *
 * Like a NAT, the relay gives each client address its own upstream socket
 * (its own port), so it knows whom a reply from the server is for. Each
 * client and direction draws its fates from its own seeded generator: with
 * the same seed, the n-th datagram of the k-th client meets the same fate on
 * every run, however the clients interleave.
 *
 * @module
 */

import { formatAddr, LOOPBACK, netAddr } from "../../lib/addr.ts";
import { isClosedError } from "../../lib/errors.ts";
import { type Log, silent } from "../../lib/log.ts";
import { bindUdp, MAX_UDP_PAYLOAD_IPV6 } from "../../lib/udp.ts";
import {
  checkRates,
  decideFate,
  describeDatagram,
  describeFaults,
  type Direction,
  type Lane,
  type LossyUdpRelay,
  type LossyUdpRelayOptions,
  narration,
  newLanes,
  noStats,
  type Parcel,
  type RelayEvent,
  type RelayStats,
  type Timer,
} from "./link_faults.ts";

/**
 * Starts a relay in front of a UDP server. Clients send to `relay.addr`; the
 * relay passes each datagram on (or not) according to its faults, and passes
 * the server's replies back the same way.
 *
 * @example Half of the datagrams go missing, the same half on every run
 * ```ts
 * import { startLossyUdpRelay } from "./lossy_relay.ts";
 * import { bindUdp, udpRequest } from "../../lib/udp.ts";
 * import { serveUdp } from "../../lib/udp_server.ts";
 * import assert from "node:assert/strict";
 *
 * const socket = bindUdp({ port: 0 });
 * await using echo = serveUdp(socket, (data, from) => socket.send(data, from).then(() => {}));
 * const relay = startLossyUdpRelay({ target: echo.addr, loss: 0.5, seed: 7 });
 * const ping = new TextEncoder().encode("ping");
 * const reply = await udpRequest(ping, { port: relay.addr.port, timeoutMs: 100, tries: 20 });
 * assert.deepEqual(reply, ping);
 * await relay.close();
 * ```
 */
export function startLossyUdpRelay(options: LossyUdpRelayOptions): LossyUdpRelay {
  return new Relay(options);
}

/** One client: its address, its upstream socket, its two lanes. */
interface Flow {
  number: number;
  client: Deno.NetAddr;
  upstream: Deno.DatagramConn;
  lanes: Record<Direction, Lane>;
}

/** The relay itself; {@linkcode startLossyUdpRelay} is its public face. */
class Relay implements LossyUdpRelay {
  readonly addr: Deno.NetAddr;
  readonly finished: Promise<void>;
  readonly stats: RelayStats = noStats();

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
    checkRates(options);
    this.#options = options;
    this.#log = options.log ?? silent;
    this.#host = options.host ?? LOOPBACK;
    this.#target = { transport: "udp", ...options.target };
    this.#front = bindUdp({ host: this.#host, port: options.port ?? 0 });
    this.addr = netAddr(this.#front.addr);
    this.finished = new Promise((resolve) => this.#stopped = resolve);
    this.#log(
      `Relaying ${formatAddr(this.addr)} → ${formatAddr(this.#target)}: ` +
        `${describeFaults(options)} (seed ${options.seed ?? 1})`,
    );
    this.#pump(this.#front, (data, from) => this.#pass(this.#flowFor(from), "request", data));
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      for (const timer of this.#timers) clearTimeout(timer);
      this.#timers.clear();
      this.#front.close(); // a closed socket's pending receive() fails: its pump ends
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
          [data, from] = await socket.receive(new Uint8Array(MAX_UDP_PAYLOAD_IPV6));
        } catch (err) {
          if (this.#closed || isClosedError(err)) return;
          this.#log(`receive failed: ${messageOf(err)}`);
          continue;
        }
        try {
          handle(data, netAddr(from));
        } catch (err) { // e.g. no free port for a new client's upstream socket
          this.#log(`datagram dropped: ${messageOf(err)}`);
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
    const lanes = newLanes(seed, number);
    const flow: Flow = { number, client, upstream: bindUdp({ host: this.#host, port: 0 }), lanes };
    this.#flows.set(key, flow);
    this.#pump(flow.upstream, (data) => this.#pass(flow, "reply", data));
    return flow;
  }

  /** Bounds memory: a relay in front of a busy server must not keep a socket per client forever. */
  #forgetOldestIfFull(): void {
    if (this.#flows.size < (this.#options.maxClients ?? 256)) return;
    const [key, oldest] = this.#flows.entries().next().value!;
    this.#flows.delete(key);
    for (const lane of Object.values(oldest.lanes)) if (lane.held) this.#cancel(lane.held.timer);
    oldest.upstream.close();
  }

  /** Decides the fate of one datagram and carries it out. */
  #pass(flow: Flow, direction: Direction, data: Uint8Array): void {
    if (this.#closed) return;
    const lane = flow.lanes[direction];
    this.stats[direction === "request" ? "requests" : "replies"]++;
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
    const line = narration(event, lane.held !== undefined);
    if (line) this.#log(line);
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
        this.#log(
          `${describeDatagram(direction, lane.held.seq, flow.client)}: overtaken by #${event.seq}`,
        );
        this.#cancel(lane.held.timer);
        this.#releaseHeld(flow, direction);
      }
    }
  }

  /** Sends the held datagram of a lane, if any. */
  #releaseHeld(flow: Flow, direction: Direction): void {
    const held = flow.lanes[direction].held;
    flow.lanes[direction].held = undefined;
    if (held) this.#send(flow, direction, held.parcel);
  }

  /** Sends a parcel on: requests from the client's upstream socket, replies from the front. */
  #send(flow: Flow, direction: Direction, parcel: Parcel): void {
    if (this.#closed) return;
    const [socket, to] = direction === "request"
      ? [flow.upstream, this.#target]
      : [this.#front, flow.client];
    for (let copy = 0; copy < parcel.copies; copy++) {
      // One send at a time: Deno may swap two un-awaited send()s, and the
      // relay must reorder only when it decides to.
      const sending = this.#queue.then(async () => {
        if (!this.#closed) await socket.send(parcel.data, to);
      }).then(() => {}, (err) => { // a socket closed meanwhile is no failure
        if (!isClosedError(err)) this.#log(`send failed: ${messageOf(err)}`);
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

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
