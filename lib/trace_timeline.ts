/**
 * The timeline of one traced run: {@linkcode Tracer} numbers the
 * conversations, prints each entry and keeps them for the diagram. While
 * tcpdump runs, entries are held until tcpdump has caught up with them,
 * then printed in time order, packets among calls.
 *
 * @module
 */

import type { Capture } from "./capture.ts";
import type { Packet } from "./capture_parse.ts";
import {
  Conversations,
  type Entry,
  formatEntry,
  type TraceEvent,
  type WireSegment,
} from "./trace_events.ts";

/** How often, while tcpdump runs, held entries are printed. */
const FLUSH_EVERY_MS = 50;
/**
 * Entries younger than this stay held: a write is stamped when it is called
 * but recorded when it returns.
 */
const SLACK_MS = 20;
/** At most this many entries are kept for the diagram. */
const MAX_KEPT = 20_000;
/** At most this many captured segments are kept for {@linkcode Tracer.segmentsBetween}. */
const MAX_SEGMENTS = 20_000;

/**
 * One run's timeline: numbers the conversations, prints each entry, and
 * keeps them for the diagram. While tcpdump runs, entries are held until
 * tcpdump has caught up with them (a marker sent to ourselves has come
 * through), then printed in time order, packets among calls.
 */
export class Tracer {
  /** The conversations seen so far, by number. */
  readonly conversations = new Conversations();
  /** Every entry printed so far, when a diagram is wanted. */
  readonly kept: Entry[] = [];
  readonly #start = performance.now();
  readonly #print: ((line: string) => void) | undefined;
  readonly #keep: boolean;
  #capture: Capture | undefined;
  readonly #causes = new Causes();
  #pending: ({ at: number; event: TraceEvent } | { packet: Packet })[] = [];
  #pump: Promise<void> | undefined;
  #stopping = false;
  /** The last sync with tcpdump: syncs run one at a time (one marker in flight). */
  #synced: Promise<void> = Promise.resolve();
  /** Captured segments by conversation number, for {@linkcode Tracer.segmentsBetween}. */
  readonly #segments = new Map<number, WireSegment[]>();
  #segmentCount = 0;

  /** `print`: where each line goes (none: print nothing); `keep`: keep the entries for a diagram. */
  constructor(options: { print?: (line: string) => void; keep: boolean }) {
    this.#print = options.print;
    this.#keep = options.keep;
  }

  /** Milliseconds since the start. */
  now(): number {
    return performance.now() - this.#start;
  }

  /** Records a call; `at` is when it was made (default: now). */
  record(event: Omit<TraceEvent, "type" | "at">, at = this.now()): void {
    const entry: TraceEvent = { type: "event", at, ...event };
    if (this.#capture === undefined) this.#emit(entry);
    else {
      this.#causes.record(entry);
      this.#pending.push({ at, event: entry });
    }
  }

  /** A packet tcpdump saw: held until it can be put in its place. */
  packet(packet: Packet): void {
    this.#pending.push({ packet });
  }

  /** From now on, hold entries until `capture` has caught up with them. */
  follow(capture: Capture): void {
    this.#capture = capture;
    this.#pump = this.#printInTimeOrder(capture);
  }

  /**
   * With a capture running: waits until tcpdump has caught up, prints what
   * is held, and resolves to the segments seen so far between `client` and
   * `server` (addresses as the trace prints them). `undefined` without one.
   */
  async segmentsBetween(client: string, server: string): Promise<WireSegment[] | undefined> {
    const capture = this.#capture;
    if (capture === undefined) return undefined;
    const upTo = this.now();
    await this.#sync(capture);
    this.#flush(upTo);
    const conversation = this.conversations.all.find((c) =>
      c.client === client && c.server === server
    );
    return [...(conversation ? this.#segments.get(conversation.id) ?? [] : [])];
  }

  /** Stops tcpdump, if it runs, and prints everything still held. Resolves to a note, if any. */
  async finish(): Promise<string | undefined> {
    this.#stopping = true;
    await this.#pump;
    const note = await this.#capture?.stop();
    this.#flush(Infinity);
    this.#capture = undefined;
    return note;
  }

  async #printInTimeOrder(capture: Capture): Promise<void> {
    while (!this.#stopping) {
      await new Promise((resolve) => setTimeout(resolve, FLUSH_EVERY_MS));
      if (this.#pending.length === 0) continue;
      const upTo = this.now() - SLACK_MS;
      await this.#sync(capture);
      this.#flush(upTo);
    }
  }

  /** `capture.sync()`, after any sync already under way. */
  #sync(capture: Capture): Promise<void> {
    this.#synced = this.#synced.catch(() => {}).then(() => capture.sync());
    return this.#synced;
  }

  /** Prints the held entries up to `upTo` ms, in time order; drops others' packets. */
  #flush(upTo: number): void {
    const capture = this.#capture;
    if (capture === undefined || this.#pending.length === 0) return;
    const timed = this.#pending.map((item) =>
      "packet" in item
        ? { at: capture.localTime(item.packet.time) - this.#start, packet: item.packet }
        : item
    ).sort((a, b) => a.at - b.at);
    let i = 0;
    const ready: Entry[] = [];
    for (; i < timed.length && timed[i].at <= upTo; i++) {
      const item = timed[i];
      if ("event" in item) ready.push(item.event);
      else {
        const segment = this.conversations.segment(item.packet, item.at);
        if (segment !== undefined) ready.push(this.#remember(this.#causes.notBefore(segment)));
      }
    }
    this.#pending = timed.slice(i).map((item) => "event" in item ? item : { packet: item.packet });
    for (const entry of ready.sort((a, b) => a.at - b.at)) this.#emit(entry);
  }

  #remember(segment: WireSegment): WireSegment {
    if (this.#segmentCount++ < MAX_SEGMENTS) {
      const list = this.#segments.get(segment.conn) ?? [];
      list.push(segment);
      this.#segments.set(segment.conn, list);
    }
    return segment;
  }

  #emit(entry: Entry): void {
    this.#print?.(formatEntry(entry, this.conversations.get(entry.conn)));
    if (this.#keep && this.kept.length < MAX_KEPT) this.kept.push(entry);
  }
}

/**
 * Keeps a segment from being shown before the call that caused it. Two
 * clocks are matched (tcpdump's and ours) to within some tens of
 * microseconds, and on the loopback a write's segment leaves within
 * microseconds of the call: so a data segment is put no earlier than the
 * write that sent its first byte, a FIN no earlier than the close or
 * closeWrite that sent it, and an ACK no earlier than the write (or close)
 * of what it acknowledges.
 */
class Causes {
  /** By `conn/role`: the stream offsets each recent write covered, and when it was called. */
  readonly #writes = new Map<string, { offset: number; recent: { end: number; at: number }[] }>();
  /** By `conn/role`: when that end called close or closeWrite. */
  readonly #fins = new Map<string, number>();

  record(event: TraceEvent): void {
    const key = `${event.conn}/${event.role}`;
    if (event.kind === "write" && (event.n ?? 0) > 0) {
      const stream = this.#writes.get(key) ?? { offset: 0, recent: [] };
      stream.offset += event.n ?? 0;
      stream.recent.push({ end: stream.offset, at: event.at });
      if (stream.recent.length > 256) stream.recent.shift();
      this.#writes.set(key, stream);
    } else if ((event.kind === "close" || event.kind === "closeWrite") && !this.#fins.has(key)) {
      this.#fins.set(key, event.at);
    }
  }

  notBefore(segment: WireSegment): WireSegment {
    const own = `${segment.conn}/${segment.from}`;
    const other = `${segment.conn}/${segment.from === "client" ? "server" : "client"}`;
    const causes: (number | undefined)[] = [];
    // Its own bytes: the write that sent the first (the SYN took number 0).
    if (segment.length > 0 && segment.seq !== undefined) {
      causes.push(this.#writeAt(own, segment.seq - 1));
    }
    if (segment.flags.includes("FIN")) causes.push(this.#fins.get(own));
    // What it acknowledges: the other end's write of the last byte, or its FIN.
    if (segment.ack !== undefined && segment.ack > 1) {
      causes.push(this.#writeAt(other, segment.ack - 2) ?? this.#fins.get(other));
    }
    const cause = Math.max(...causes.filter((at) => at !== undefined));
    // A microsecond after its cause, so that the call sorts first.
    return cause >= segment.at ? { ...segment, at: cause + 0.001 } : segment;
  }

  /** When `key`'s end called the write that sent stream byte `offset` (0 is the first). */
  #writeAt(key: string, offset: number): number | undefined {
    return this.#writes.get(key)?.recent.find((write) => write.end > offset)?.at;
  }
}
