/**
 * The traced sockets: a {@linkcode TracedConn} (TCP or Unix) and a
 * {@linkcode TracedDatagram} (UDP) report every call to the
 * {@linkcode Tracer}, then make it on the socket inside.
 *
 * @module
 */

import { ConnWrapper } from "./conn_wrapper.ts";
import {
  addrString,
  type EventKind,
  PREVIEW_BYTES,
  type Role,
  type TraceEvent,
} from "./trace_events.ts";
import type { Tracer } from "./trace_timeline.ts";

/** `p`'s first bytes, copied: the caller reuses its buffer. */
function preview(p: Uint8Array, n: number): Uint8Array {
  return p.slice(0, Math.min(n, PREVIEW_BYTES));
}

/** A reset in words: which call threw what, and what it means on the wire. */
function resetDetail(call: string, err: unknown): string | undefined {
  if (err instanceof Deno.errors.ConnectionReset) {
    return `${call} threw ConnectionReset (an RST arrived: the peer aborted the connection)`;
  }
  if (err instanceof Deno.errors.BrokenPipe) {
    return `${call} threw BrokenPipe (the connection was reset: nothing more can be sent)`;
  }
  if (err instanceof Deno.errors.ConnectionAborted) {
    return `${call} threw ConnectionAborted (the connection was aborted)`;
  }
  return undefined;
}

/** Any other failure in words: a close under a pending call, or the error. */
function failureDetail(call: string, err: unknown): string {
  const name = err instanceof Error ? err.name : String(err);
  if (err instanceof Deno.errors.BadResource || err instanceof Deno.errors.Interrupted) {
    return `${call} ended: the socket was closed here (${name})`;
  }
  return `${call} threw ${name}: ${err instanceof Error ? err.message : ""}`.trimEnd();
}

/** A connection whose calls go to the tracer, then to the connection. */
export class TracedConn<C extends Deno.Conn> extends ConnWrapper<C> {
  readonly #tracer: Tracer;
  readonly #side: string;
  readonly #conn: number;
  readonly #role: Role;
  #closed = false;
  #wroteFin = false;

  /** Wraps `inner`, an end labelled `side` that connected (or, `accepted`, was accepted). */
  constructor(inner: C, side: string, tracer: Tracer, accepted: boolean) {
    super(inner);
    this.#tracer = tracer;
    this.#side = side;
    this.#role = accepted ? "server" : "client";
    const { localAddr, remoteAddr } = inner;
    this.#conn = tracer.conversations.stream(localAddr, remoteAddr, this.#role, side).id;
    this.#event(accepted ? "accept" : "connect", {
      addr: addrString(localAddr),
      peer: addrString(remoteAddr),
    });
  }

  override async read(p: Uint8Array): Promise<number | null> {
    let n: number | null;
    try {
      n = await this.inner.read(p);
    } catch (err) {
      this.#failed("read", err);
      throw err;
    }
    if (n === null) this.#event("EOF");
    else this.#event("read", { n, bytes: preview(p, n) });
    return n;
  }

  override async write(p: Uint8Array): Promise<number> {
    const at = this.#tracer.now();
    let n: number;
    try {
      n = await this.inner.write(p);
    } catch (err) {
      this.#failed("write", err, at);
      throw err;
    }
    this.#event("write", { n, offered: p.length, bytes: preview(p, n) }, at);
    return n;
  }

  override closeWrite(): Promise<void> {
    this.#wroteFin = true;
    this.#event("closeWrite");
    return this.inner.closeWrite();
  }

  override close(): void {
    if (!this.#closed) this.#event("close");
    this.#closed = true;
    this.inner.close();
  }

  protected override onReadable(chunk: Uint8Array | null): void {
    if (chunk === null) this.#event("EOF");
    else this.#event("read", { n: chunk.length, bytes: preview(chunk, chunk.length) });
  }

  protected override onWritable(chunk: Uint8Array): void {
    const bytes = preview(chunk, chunk.length);
    this.#event("write", { n: chunk.length, offered: chunk.length, bytes });
  }

  #failed(call: string, err: unknown, at?: number): void {
    // A write after our own closeWrite() fails with BrokenPipe too: no reset.
    const ours = this.#wroteFin && err instanceof Deno.errors.BrokenPipe;
    const reset = ours ? undefined : resetDetail(call, err);
    if (reset !== undefined) this.#event("reset", { detail: reset }, at);
    else this.#event("error", { detail: failureDetail(call, err) }, at);
  }

  #event(kind: EventKind, details: Partial<TraceEvent> = {}, at?: number): void {
    this.#tracer.record(
      { conn: this.#conn, side: this.#side, role: this.#role, kind, ...details },
      at,
    );
  }
}

/**
 * A UDP socket whose sends and receives go to the tracer. Written out member
 * by member, like {@linkcode ConnWrapper}.
 */
export class TracedDatagram implements Deno.DatagramConn {
  readonly inner: Deno.DatagramConn;
  readonly #tracer: Tracer;
  readonly #side: string;

  /** Wraps `inner`, a socket labelled `side`. */
  constructor(inner: Deno.DatagramConn, side: string, tracer: Tracer) {
    this.inner = inner;
    this.#tracer = tracer;
    this.#side = side;
    tracer.conversations.datagramSocket(inner.addr, side);
  }

  get addr(): Deno.Addr {
    return this.inner.addr;
  }

  async send(p: Uint8Array, addr: Deno.Addr): Promise<number> {
    const at = this.#tracer.now();
    try {
      const n = await this.inner.send(p, addr);
      this.#event("send", addr, { n, bytes: preview(p, n) }, at);
      return n;
    } catch (err) {
      this.#event("error", addr, { detail: failureDetail("send", err) }, at);
      throw err;
    }
  }

  async receive(p?: Uint8Array): Promise<[Uint8Array<ArrayBuffer>, Deno.Addr]> {
    const [data, from] = await this.inner.receive(p);
    this.#event("receive", from, { n: data.length, bytes: preview(data, data.length) });
    return [data, from];
  }

  close(): void {
    this.inner.close();
  }

  joinMulticastV4(address: string, networkInterface: string): Promise<Deno.MulticastV4Membership> {
    return this.inner.joinMulticastV4(address, networkInterface);
  }

  joinMulticastV6(address: string, networkInterface: number): Promise<Deno.MulticastV6Membership> {
    return this.inner.joinMulticastV6(address, networkInterface);
  }

  /** Receives datagrams until the socket is closed, as Deno's own does. */
  async *[Symbol.asyncIterator](): AsyncIterableIterator<[Uint8Array<ArrayBuffer>, Deno.Addr]> {
    while (true) {
      try {
        yield await this.receive();
      } catch (err) {
        if (err instanceof Deno.errors.BadResource || err instanceof Deno.errors.Interrupted) {
          return;
        }
        throw err;
      }
    }
  }

  /** Closes the socket (what `using` calls). */
  [Symbol.dispose](): void {
    try {
      this.close();
    } catch (err) {
      if (!(err instanceof Deno.errors.BadResource)) throw err;
    }
  }

  #event(kind: EventKind, peer: Deno.Addr, details: Partial<TraceEvent>, at?: number): void {
    const { conversation, role } = this.#tracer.conversations.datagram(
      this.inner.addr,
      peer,
      this.#side,
    );
    this.#tracer.record(
      { conn: conversation.id, side: this.#side, role, kind, addr: addrString(peer), ...details },
      at,
    );
  }
}
