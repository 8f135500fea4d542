/**
 * The clients of the soak: well-behaved conversations with lesson 03's and
 * lesson 05's servers, mixed with the hostile peers of `tests/hostile/`.
 * Each client resolves when its exchange went as required and throws when it
 * did not (a wrong reply, a hang the idle timeout should have ended).
 *
 * @module
 */

import net from "node:net";
import {
  encodeFrame,
  frameHeader,
  MAX_HEADER_LENGTH,
} from "../../lessons/05_framing/frame_codec.ts";
import { readChunk, writeAll } from "../../lib/io.ts";
import { type Random, randomInt } from "../../lib/random.ts";
import { runHelloClient } from "../../lessons/03_tcp_hello.ts";
import { runFramedClient } from "../../lessons/05_framing.ts";
import { randomMessages } from "../../lessons/05_framing/framings.ts";

const encoder = new TextEncoder();

/** One kind of client: its name, how often it runs, what it does. */
export interface SoakClient {
  /** Short name, for the summary. */
  name: string;
  /** Relative weight when picking the next client. */
  weight: number;
  /** Well-behaved (must succeed) or hostile (must be survived). */
  hostile: boolean;
  /** Runs one exchange against the server on `port`. */
  run(port: number, random: Random): Promise<void>;
}

function connect(port: number): Promise<Deno.TcpConn> {
  return Deno.connect({ hostname: "127.0.0.1", port });
}

/** Reads until the server closes or resets; resolves to the byte count. */
async function drain(conn: Deno.Conn): Promise<number> {
  let total = 0;
  try {
    for (let chunk; (chunk = await readChunk(conn, 64 * 1024)) !== null;) total += chunk.length;
  } catch (err) {
    if (!(err instanceof Deno.errors.ConnectionReset)) throw err;
  }
  return total;
}

/** Connects, optionally writes, then resets (RST) through Node's `resetAndDestroy()`. */
async function resetAfter(port: number, bytes?: Uint8Array): Promise<void> {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  if (bytes) await new Promise<void>((resolve) => socket.write(bytes, () => resolve()));
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.resetAndDestroy();
  await closed;
}

function randomBytes(random: Random, min: number, max: number): Uint8Array {
  return Uint8Array.from({ length: randomInt(random, min, max) }, () => randomInt(random, 0, 255));
}

/** Writes `bytes` and shuts down writing while reading everything back. */
async function sendAndDrain(conn: Deno.Conn, bytes: Uint8Array): Promise<number> {
  const writing = writeAll(conn, bytes).then(() => conn.closeWrite()).catch(() => {});
  const got = await drain(conn);
  await writing;
  return got;
}

/** A connection that says nothing: the server's idle timeout must end it. */
async function idle(port: number, greeting: number): Promise<void> {
  using conn = await connect(port);
  const got = await drain(conn);
  if (got !== greeting) throw new Error(`idle client got ${got} bytes, expected ${greeting}`);
}

// ─── Lesson 03 ───────────────────────────────────────────────────────────────

/** Lesson 03's clients. */
export const HELLO_CLIENTS: readonly SoakClient[] = [
  {
    name: "conversation",
    weight: 14,
    hostile: false,
    async run(port, random) {
      const names = randomMessages(random, randomInt(random, 1, 5), 200)
        .map((name) => name === "exit" ? "exit!" : name || "x");
      const replies = await runHelloClient({ port, names });
      const expected = ["Welcome!", ...names.map((n) => `Hello, ${n}!`)];
      if (replies.join("\n") !== expected.join("\n")) throw new Error("wrong replies");
    },
  },
  {
    name: "random bytes",
    weight: 2,
    hostile: true,
    async run(port, random) {
      using conn = await connect(port);
      await sendAndDrain(conn, randomBytes(random, 1, 4096));
    },
  },
  {
    name: "256 KiB, no pause",
    weight: 1,
    hostile: true,
    async run(port) {
      using conn = await connect(port);
      await sendAndDrain(conn, new Uint8Array(256 * 1024).fill(0x78));
    },
  },
  {
    name: "reset",
    weight: 2,
    hostile: true,
    run: (port, random) => resetAfter(port, random() < 0.5 ? encoder.encode("Michael") : undefined),
  },
  {
    name: "connect, close",
    weight: 1,
    hostile: true,
    async run(port) {
      (await connect(port)).close();
    },
  },
  { name: "idle", weight: 1, hostile: true, run: (port) => idle(port, 8) },
];

// ─── Lesson 05 ───────────────────────────────────────────────────────────────

const frame = (bytes: Uint8Array) => encodeFrame(bytes, { maxFrame: MAX_HEADER_LENGTH });

/** Lesson 05's clients. */
export const FRAMED_CLIENTS: readonly SoakClient[] = [
  {
    name: "conversation",
    weight: 14,
    hostile: false,
    async run(port, random) {
      const messages = randomMessages(random, randomInt(random, 1, 8), 8 * 1024);
      const replies = await runFramedClient({ port, messages });
      if (replies.join("\n") !== messages.map((m) => m.toUpperCase()).join("\n")) {
        throw new Error("wrong replies");
      }
    },
  },
  {
    name: "4 GiB header",
    weight: 1,
    hostile: true,
    async run(port) {
      using conn = await connect(port);
      await sendAndDrain(conn, frameHeader(0xffff_ffff));
    },
  },
  {
    name: "not UTF-8",
    weight: 1,
    hostile: true,
    async run(port) {
      using conn = await connect(port);
      await sendAndDrain(conn, frame(new Uint8Array([0x68, 0xff, 0xfe])));
    },
  },
  {
    name: "half a header",
    weight: 1,
    hostile: true,
    async run(port) {
      using conn = await connect(port);
      await sendAndDrain(conn, new Uint8Array([0, 0]));
    },
  },
  {
    name: "cut frame, reset",
    weight: 1,
    hostile: true,
    run: (port) => resetAfter(port, frame(new Uint8Array(1000)).subarray(0, 504)),
  },
  {
    name: "random bytes",
    weight: 2,
    hostile: true,
    async run(port, random) {
      using conn = await connect(port);
      await sendAndDrain(conn, randomBytes(random, 1, 4096));
    },
  },
  {
    name: "1 MiB frame",
    weight: 1,
    hostile: true,
    async run(port) {
      using conn = await connect(port);
      const size = 1024 * 1024;
      const got = await sendAndDrain(conn, frame(new Uint8Array(size).fill(0x61)));
      if (got !== size + 4) throw new Error(`a 1 MiB frame got ${got} bytes back`);
    },
  },
  { name: "idle", weight: 1, hostile: true, run: (port) => idle(port, 0) },
];

/** Picks a client by weight. */
export function pick(clients: readonly SoakClient[], random: Random): SoakClient {
  const total = clients.reduce((sum, c) => sum + c.weight, 0);
  let at = random() * total;
  for (const client of clients) {
    if ((at -= client.weight) < 0) return client;
  }
  return clients[clients.length - 1];
}

/** Text of a failure, short. */
export function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
