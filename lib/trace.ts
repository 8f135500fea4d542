/**
 * Seeing the wire: `--trace`, `--capture` and `--trace-svg FILE`, for every
 * lesson (`cli.ts` declares the flags and calls {@linkcode startTracing}).
 *
 * A lesson hands each connection it makes to {@linkcode traced}, once, where
 * it is created (`serve()` does it for the connections it accepts):
 *
 * ```ts ignore
 * using conn = traced(await Deno.connect({ hostname: "127.0.0.1", port: 9999 }), "client");
 * ```
 *
 * With tracing off that is all: `traced` returns `conn` itself. With
 * `--trace` it returns a {@linkcode ConnWrapper} that prints one line on
 * stderr per call — `connect`, `accept`, `write N of M`, `read N` (the bytes
 * as text and hex), `EOF`, `closeWrite`, `reset`, `close` — with the time in
 * ms since the start and the side and number of the connection:
 *
 *     3.12 ms  client #1  connect 127.0.0.1:52110 → 127.0.0.1:9999
 *     3.40 ms  server #1  accept 127.0.0.1:9999 ← 127.0.0.1:52110
 *     3.95 ms  server #1  write 8 of 8  "Welcome!"  57 65 6c 63 6f 6d 65 21
 *
 * `--capture` adds the packets tcpdump sees on the loopback (`capture.ts`
 * runs it, `capture_parse.ts` reads its lines), as `wire` lines in time
 * order among the calls (`trace_timeline.ts`); `--trace-svg FILE` draws all
 * of it as a sequence diagram (`trace_svg.ts`). The wrappers themselves are
 * in `trace_conn.ts`, the entries and how they print in `trace_events.ts`.
 *
 * @module
 */

import { type Capture, startCapture } from "./capture.ts";
import { TracedConn, TracedDatagram } from "./trace_conn.ts";
import { addrString, type WireSegment } from "./trace_events.ts";
import { renderSequenceSvg } from "./trace_svg.ts";
import { Tracer } from "./trace_timeline.ts";

/** Which end of a conversation a traced socket is: `client`, `server`, or a label. */
export type Side = string;

/** Options for {@linkcode traced}. */
export interface TracedOptions {
  /** The connection came from `accept()` (default: when `side` is `"server"`). */
  accepted?: boolean;
}

/** The tracer of the run in progress; `undefined` when tracing is off. */
let active: Tracer | undefined;

/**
 * Hands a connection to the tracer: with `--trace` on, every read, write,
 * end of stream, reset and close of the returned connection is printed; with
 * it off, `conn` itself is returned and nothing changes.
 *
 * @example Off: the same object
 * ```ts
 * import { traced } from "./trace.ts";
 * import assert from "node:assert/strict";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * using conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * assert.equal(traced(conn, "client"), conn);
 * ```
 */
export function traced<C extends Deno.Conn>(conn: C, side: Side, options: TracedOptions = {}): C {
  const tracer = active;
  if (tracer === undefined || conn instanceof TracedConn) return conn;
  return new TracedConn(conn, side, tracer, options.accepted ?? side === "server").asConn();
}

/**
 * With `--capture`, keeps every segment to `listener`'s port, even those of
 * connections never accepted (SYNs waiting in a full backlog). Without it,
 * nothing happens; `listener` is returned either way. (Connections a traced
 * server accepts are kept without this.)
 */
export function tracedListener<L extends Deno.Listener>(listener: L): L {
  active?.conversations.listening(listener.addr);
  return listener;
}

/** The same as {@linkcode traced} for a UDP socket: `send N → addr`, `receive N ← addr`. */
export function tracedDatagram<D extends Deno.DatagramConn>(socket: D, side: Side): D {
  const tracer = active;
  if (tracer === undefined || socket instanceof TracedDatagram) return socket;
  return new TracedDatagram(socket, side, tracer) as unknown as D;
}

/**
 * With `--capture` running: waits until tcpdump has caught up, then resolves
 * to the TCP segments it saw so far of the connection from `client` to
 * `server`, in order, handshake and ACKs included. Without a capture,
 * `undefined`. A lesson uses it to check a claim against the wire (lesson
 * 05: three writes left as three segments, and were read as one).
 *
 * @example Without `--capture` there is nothing to ask
 * ```ts
 * import { capturedSegments } from "./trace.ts";
 * import assert from "node:assert/strict";
 *
 * const addr = { transport: "tcp", hostname: "127.0.0.1", port: 9999 } as const;
 * assert.equal(await capturedSegments(addr, addr), undefined);
 * ```
 */
export function capturedSegments(
  client: Deno.Addr,
  server: Deno.Addr,
): Promise<WireSegment[] | undefined> {
  const tracer = active;
  if (tracer === undefined) return Promise.resolve(undefined);
  return tracer.segmentsBetween(addrString(client), addrString(server));
}

/** What the command line asks of the tracer. */
export interface TracingOptions {
  /** `--trace`: print each event. */
  trace: boolean;
  /** `--trace-svg FILE`: draw the events into FILE when done. */
  svgFile?: string;
  /** `--capture`: add the real packets (tcpdump). Prints the trace too. */
  capture: boolean;
  /** Where the lines go: stderr. */
  write: (line: string) => void;
  /** The diagram's heading. Default: the lesson's file and arguments. */
  title?: string;
  /** The tcpdump command (tests pass a missing one). Default `tcpdump`. */
  captureCommand?: string;
}

/**
 * Starts tracing for one run of a lesson; disposing it finishes (stops
 * tcpdump, prints what is left, writes the SVG). With no tracing flag it
 * does nothing at all.
 *
 * @example `--trace` on a connection
 * ```ts
 * import { startTracing, traced } from "./trace.ts";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * {
 *   await using _tracing = await startTracing({ trace: true, capture: false, write: (l) => lines.push(l) });
 *   using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 *   using client = traced(await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }), "client");
 *   using server = traced(await listener.accept(), "server");
 *   await client.write(new TextEncoder().encode("hi"));
 *   await server.read(new Uint8Array(16));
 * }
 * assert.match(lines[0], /ms {2}client #1 {2}connect 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+$/);
 * assert.match(lines[2], /client #1 {2}write 2 of 2 {2}"hi" {2}68 69$/);
 * assert.match(lines[3], /server #1 {2}read 2 {2}"hi" {2}68 69$/);
 * ```
 */
export async function startTracing(options: TracingOptions): Promise<AsyncDisposable> {
  if (!options.trace && !options.capture && options.svgFile === undefined) {
    return { [Symbol.asyncDispose]: () => Promise.resolve() };
  }
  const tracer = new Tracer({
    print: options.trace || options.capture ? options.write : undefined,
    keep: options.svgFile !== undefined,
  });
  const previous = active;
  active = tracer;
  let capture: Capture | undefined;
  try {
    if (options.capture) capture = await beginCapture(tracer, options);
  } catch (err) {
    active = previous;
    throw err;
  }
  return {
    async [Symbol.asyncDispose]() {
      try {
        const note = await tracer.finish();
        if (note !== undefined) options.write(note);
        if (options.svgFile !== undefined) {
          await writeSvg(options.svgFile, tracer, capture !== undefined, options);
        }
      } finally {
        active = previous;
      }
    },
  };
}

/** Starts tcpdump, or says in one line why not; the trace goes on either way. */
async function beginCapture(tracer: Tracer, options: TracingOptions): Promise<Capture | undefined> {
  const started = await startCapture({
    onPacket: (packet) => tracer.packet(packet),
    command: options.captureCommand,
  });
  if (started.capture === undefined) {
    options.write(`--capture: ${started.reason}. Going on with --trace only.`);
    return undefined;
  }
  options.write(
    '--capture: tcpdump is watching the loopback; "wire" lines are the packets it saw ' +
      "(seq/ack relative, flags by name).",
  );
  tracer.follow(started.capture);
  return started.capture;
}

/**
 * Writes the diagram, and says in one line where, or why not: a lesson that
 * ran should not fail because its picture could not be saved (and the
 * lesson's own error, if any, must stay the one line printed for it).
 */
async function writeSvg(
  file: string,
  tracer: Tracer,
  captured: boolean,
  options: TracingOptions,
): Promise<void> {
  const title = options.title ?? `Trace of ${defaultTitle()}`;
  const svg = renderSequenceSvg(tracer.kept, tracer.conversations.all, { title, captured });
  try {
    await Deno.writeTextFile(file, svg);
  } catch (err) {
    const why = err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied
      ? `no permission (run with --allow-write=${file})`
      : `${err instanceof Error ? err.message : err} (is the folder there?)`;
    options.write(`--trace-svg: could not write ${file}: ${why}`);
    return;
  }
  options.write(
    `--trace-svg: wrote ${file} (${tracer.conversations.all.length} conversations): open it in a browser.`,
  );
}

/** `03_tcp_hello.ts client Alice`: what ran. */
function defaultTitle(): string {
  const file = Deno.mainModule.split("/").pop() ?? "the lesson";
  return [decodeURIComponent(file), ...Deno.args].join(" ");
}
