/**
 * # 02 · Closing with unread input: what a reset loses
 *
 * The tutorial's server reads one `recv(1024)` and closes. When the request
 * was longer (a big head, or a body it never reads), the rest is still unread
 * in the socket when `c.close()` runs, and then the kernel does not close
 * politely: it resets the connection (RST), as RFC 1122 §4.2.2.13 says it
 * should, to show that data was lost. (Python's `close()` sends only the
 * reset; Deno's sends a FIN first, then the reset.) This step measures what
 * the reset costs, on loopback, with the raw calls:
 *
 * 1. What the client's kernel had already received survives it. The client
 *    finds out about the reset (its next write fails), and still reads the
 *    whole answer. (RFC 9293 §3.10.7.4 has a reset flush "all segment
 *    queues", and RFC 9112 §9.6 warns that it may erase the answer before
 *    the client reads it; Linux keeps what had arrived.)
 * 2. What is lost is the closer's own unsent bytes: the part of the answer
 *    still in the server's send buffer, because the client was not reading
 *    yet. Those are thrown away, and the client reads a cut answer, then
 *    `ConnectionReset`.
 * 3. Shutting down the sending side first and reading what the client still
 *    sends (`shutdownAndDrain`, lib/linger.ts) leaves nothing unread at the
 *    close: no reset, the whole answer, then end of stream.
 *
 * Run it:  deno run --allow-net=127.0.0.1 lessons/02_hello_http/closing.ts
 *
 * @module
 */

import { shutdownAndDrain } from "../../lib/linger.ts";
import { type Log, silent } from "../../lib/log.ts";
import { closeQuietly } from "../../lib/serve.ts";
import { traced } from "../../lib/trace.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A request with a body the server will never read: 100 bytes of it. */
const REQUEST = encoder.encode(
  `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n${"x".repeat(100)}`,
);

/** A connected pair on loopback: the client's socket and the server's. */
async function connectedPair(listener: Deno.TcpListener): Promise<[Deno.TcpConn, Deno.TcpConn]> {
  // Python: c = socket.create_connection(('127.0.0.1', port)); s, a = listener.accept()
  const client = traced(
    await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    "client",
  );
  return [client, traced(await listener.accept(), "server")];
}

/** What experiment 1 saw: the client's write after the reset, then its reads. */
export interface AfterReset {
  /** The error the client's write got once the reset had arrived: `BrokenPipe`. */
  writeError: string;
  /** What the client read after that: the whole answer. */
  received: string;
}

/**
 * Experiment 1: the server answers without reading the request, and closes
 * with it unread (a reset). The client writes until a write fails, which
 * shows the reset has arrived, and only then reads.
 */
export async function answerThenReset(answer: string): Promise<AfterReset> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [client, server] = await connectedPair(listener);
  try {
    await client.write(REQUEST); // Python: s.send(request): small, so one write takes it whole
    await server.write(encoder.encode(answer)); // Python: c.send(answer), never c.recv()
    server.close(); // Python: c.close(), with the request unread: RST
    let writeError = "";
    // The first write can beat the reset to the socket; the next cannot.
    for (let tries = 0; writeError === "" && tries < 10; tries++) {
      try {
        await client.write(encoder.encode("more of the body"));
      } catch (err) {
        writeError = err instanceof Error ? err.name : String(err);
      }
    }
    const buffer = new Uint8Array(1024);
    const n = await client.read(buffer); // Python: s.recv(1024)
    return { writeError, received: decoder.decode(buffer.subarray(0, n ?? 0)) };
  } finally {
    client.close();
  }
}

/** What the client of experiments 2 and 3 received. */
export interface BigAnswer {
  /** How many bytes of the answer the server's one write handed to its kernel. */
  taken: number;
  /** How many of those the client read. */
  received: number;
  /** How its reading ended. */
  end: "end of stream" | "ConnectionReset";
}

/**
 * Experiments 2 and 3: the server writes a big answer to a client that is
 * not reading yet (one write: its kernel takes what fits in the buffers),
 * then closes at once, or shuts down and drains first. Then the client reads
 * everything.
 */
export async function bigAnswerThenClose(
  how: "close at once" | "shut down and drain first",
  answerBytes = 8 * 1024 * 1024,
): Promise<BigAnswer> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [client, server] = await connectedPair(listener);
  let closing: Promise<void> = Promise.resolve();
  try {
    await client.write(REQUEST);
    const taken = await server.write(new Uint8Array(answerBytes));
    if (how === "close at once") server.close();
    else closing = shutdownAndDrain(server).finally(() => closeQuietly(server)); // it may have closed it
    let received = 0;
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (let n; (n = await client.read(buffer)) !== null;) received += n;
    } catch (err) {
      if (!(err instanceof Deno.errors.ConnectionReset)) throw err;
      return { taken, received, end: "ConnectionReset" };
    }
    return { taken, received, end: "end of stream" };
  } finally {
    client.close(); // the drain, if any, ends at this FIN
    await closing;
  }
}

/** Runs the three experiments and says what each showed. */
export async function showClosing(log: Log = silent): Promise<void> {
  const answer = "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n";
  const reset = await answerThenReset(answer);
  log(`1. After the reset the client's write fails (${reset.writeError}),`);
  log(
    `   and its read still returns the answer: ${JSON.stringify(reset.received.split("\r\n")[0])}`,
  );
  for (const how of ["close at once", "shut down and drain first"] as const) {
    const { taken, received, end } = await bigAnswerThenClose(how);
    log(`${how === "close at once" ? 2 : 3}. ${how}: the server's kernel took ${taken} bytes,`);
    log(`   the client read ${received}, then ${end}.`);
  }
}

if (import.meta.main) await showClosing(console.log);
