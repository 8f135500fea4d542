// A copy of lib/conn_wrapper.ts for issue 17's experiments (bench/fairness/): change this one, not lib/.
/**
 * A connection that stands in for another one: every call goes to the
 * connection inside, so it behaves exactly like it. Subclasses override the
 * calls they want to see (`read`, `write`, `closeWrite`, `close`): the server
 * loop counts reads and writes for its idle timeout (`watched_conn.ts`) and
 * `--trace` prints them (`trace.ts`).
 *
 * Written out member by member, so a reader can see that nothing else
 * happens: no `Proxy`, no magic.
 *
 * @module
 */

/**
 * Forwards every member of `Deno.Conn` (and `setNoDelay`/`setKeepAlive` of a
 * TCP connection) to `inner`. The streams `readable` and `writable` pass
 * through {@linkcode ConnWrapper.onReadable} and
 * {@linkcode ConnWrapper.onWritable}, so a subclass sees stream traffic too.
 *
 * @example A wrapper that counts reads
 * ```ts
 * import { ConnWrapper } from "./conn_wrapper_copy.ts";
 * import assert from "node:assert/strict";
 *
 * class Counting extends ConnWrapper<Deno.TcpConn> {
 *   reads = 0;
 *   override read(p: Uint8Array): Promise<number | null> {
 *     this.reads++;
 *     return super.read(p);
 *   }
 * }
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * using client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * using accepted = new Counting(await listener.accept());
 * await client.write(new TextEncoder().encode("hi"));
 * assert.equal(await accepted.read(new Uint8Array(8)), 2);
 * assert.equal(accepted.reads, 1);
 * assert.equal(accepted.remoteAddr.port, client.localAddr.port);
 * ```
 */
export class ConnWrapper<C extends Deno.Conn = Deno.Conn> implements Deno.TcpConn {
  /** The connection every call goes to. */
  readonly inner: C;
  #readable: ReadableStream<Uint8Array<ArrayBuffer>> | undefined;
  #writable: WritableStream<Uint8Array> | undefined;

  /** Wraps `inner`. */
  constructor(inner: C) {
    this.inner = inner;
  }

  /** `inner`, typed as the connection it wraps: what a handler is given. */
  asConn(): C {
    return this as unknown as C;
  }

  /** Reads into `p`: the number of bytes, or `null` at end of stream. */
  read(p: Uint8Array): Promise<number | null> {
    return this.inner.read(p);
  }

  /** Writes a prefix of `p`: the number of bytes the kernel took. */
  write(p: Uint8Array): Promise<number> {
    return this.inner.write(p);
  }

  /** Sends FIN: no more writes from this side (Python's `shutdown(SHUT_WR)`). */
  closeWrite(): Promise<void> {
    return this.inner.closeWrite();
  }

  /** Closes the socket. */
  close(): void {
    this.inner.close();
  }

  /** The address of this end. */
  get localAddr(): Deno.NetAddr {
    return this.inner.localAddr as Deno.NetAddr;
  }

  /** The address of the other end. */
  get remoteAddr(): Deno.NetAddr {
    return this.inner.remoteAddr as Deno.NetAddr;
  }

  /** Keeps the process alive while this connection is open (the default). */
  ref(): void {
    this.inner.ref();
  }

  /** Lets the process exit even while this connection is open. */
  unref(): void {
    this.inner.unref();
  }

  /** TCP only: turns Nagle's algorithm off (`true`) or on. */
  setNoDelay(noDelay?: boolean): void {
    (this.inner as unknown as Deno.TcpConn).setNoDelay?.(noDelay);
  }

  /** TCP only: turns TCP keepalive probes on (`true`) or off. */
  setKeepAlive(keepAlive?: boolean): void {
    (this.inner as unknown as Deno.TcpConn).setKeepAlive?.(keepAlive);
  }

  /** The bytes the peer sends, as a stream (closes the socket at its end, as Deno's does). */
  get readable(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return this.#readable ??= this.inner.readable.pipeThrough(
      new TransformStream<Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>>({
        transform: (chunk, controller) => {
          this.onReadable(chunk);
          controller.enqueue(chunk);
        },
        flush: () => this.onReadable(null),
      }),
    );
  }

  /** A stream whose chunks are written to the peer. */
  get writable(): WritableStream<Uint8Array> {
    if (this.#writable === undefined) {
      const tap = new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, controller) => {
          this.onWritable(chunk);
          controller.enqueue(chunk);
        },
      });
      tap.readable.pipeTo(this.inner.writable).catch(() => {}); // errors reach the writer
      this.#writable = tap.writable;
    }
    return this.#writable;
  }

  /** Called for each chunk read through {@linkcode readable}, and `null` at its end. */
  protected onReadable(_chunk: Uint8Array | null): void {}

  /** Called for each chunk written through {@linkcode writable}. */
  protected onWritable(_chunk: Uint8Array): void {}

  /** Closes the socket (what `using` calls). */
  [Symbol.dispose](): void {
    try {
      this.close();
    } catch (err) {
      if (!(err instanceof Deno.errors.BadResource)) throw err;
    }
  }
}
