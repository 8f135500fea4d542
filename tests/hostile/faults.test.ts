/**
 * Faults on the client's side: the server dies in the middle of a
 * conversation or a transfer. Every client must say so in one line
 * (`error: <what> (<what to do>)`), never a stack trace, and lesson 01 must
 * leave no partial file.
 */

import assert from "node:assert/strict";
import * as fetcher from "../../lessons/01_fetch_page.ts";
import * as hello from "../../lessons/03_tcp_hello.ts";
import * as framed from "../../lessons/05_framing.ts";
import { encodeFrame, frameHeader } from "../../lessons/05_framing/frame_codec.ts";
import { formatError, LessonError } from "../../lib/errors.ts";
import { readChunk, writeAll } from "../../lib/io.ts";
import { serve } from "../../lib/serve.ts";
import { runCli, within } from "../_util.ts";
import { text } from "./_harness.ts";

/** A server that plays its part of a conversation, then dies. */
function dyingServer(act: (conn: Deno.TcpConn) => Promise<void>) {
  return serve(Deno.listen({ hostname: "127.0.0.1", port: 0 }), act);
}

/**
 * Closes `conn` with bytes still unread in its receive buffer: the kernel
 * then sends a reset (RST), as it does for a process that crashed.
 */
async function crash(conn: Deno.Conn): Promise<void> {
  await readChunk(conn, 1); // one byte of the request, the rest left unread
  conn.close();
}

/** Asserts that `promise` fails with one line matching `pattern`. */
async function failsInOneLine(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof LessonError, `a LessonError, not ${err}`);
    const line = formatError(err);
    assert.ok(!line.includes("\n"), line);
    assert.match(line, pattern);
    return true;
  });
}

const cases: { label: string; act: (conn: Deno.TcpConn) => Promise<void>; pattern: RegExp }[] = [
  {
    label: "lesson 03: the server closes after the greeting",
    act: async (conn) => {
      await writeAll(conn, text.encode("Welcome!"));
    },
    pattern:
      /^error: the server closed the connection before the reply to Michael \(was it stopped/,
  },
  {
    label: "lesson 03: the server crashes mid-conversation (reset)",
    act: async (conn) => {
      await writeAll(conn, text.encode("Welcome!"));
      await crash(conn);
    },
    // Deno's close() sends FIN, then RST for the unread byte: the client sees
    // end of stream or the reset, depending on which its read meets first.
    pattern: /^error: .*(reset|closed) the connection .*\(was (it|the server) stopped/,
  },
];

for (const { label, act, pattern } of cases) {
  Deno.test(`${label}: deno task 03 client says so in one line`, async () => {
    await using server = dyingServer(act);
    const run = runCli(hello.cli, ["client", "--port", `${server.addr.port}`]);
    const { code, stderr } = await within(5_000, "the client to give up", run);
    assert.equal(code, 1);
    assert.equal(stderr.length, 1, stderr.join("\n"));
    assert.match(stderr[0], pattern);
  });
}

Deno.test("lesson 05: the server dies half-way through a reply frame: one line", async () => {
  await using server = dyingServer(async (conn) => {
    await readChunk(conn, 1024);
    await writeAll(conn, encodeFrame(text.encode("HELLO")).subarray(0, 6));
  });
  await failsInOneLine(
    within(
      5_000,
      "the client to give up",
      framed.runFramedClient({ port: server.addr.port, messages: ["hello"] }),
    ),
    /the stream ended inside a frame: 2 of 5 bytes/,
  );
});

Deno.test("lesson 05: the server crashes before its reply (reset): one line", async () => {
  await using server = dyingServer(crash);
  await failsInOneLine(
    within(
      5_000,
      "the client to give up",
      framed.runFramedClient({ port: server.addr.port, messages: ["hello", "world"] }),
    ),
    /the server (reset|closed) the connection after 0 of 2 replies/,
  );
});

Deno.test("lesson 01: the server dies mid-body: one line, and no file, not even a partial one", async () => {
  await Deno.mkdir(".tmp", { recursive: true });
  const dir = await Deno.makeTempDir({ dir: ".tmp", prefix: "hostile_01_" });
  try {
    await using server = dyingServer(async (conn) => {
      const head = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n";
      await writeAll(conn, text.encode(head + "x".repeat(50_000)));
      await crash(conn);
    });
    const out = `${dir}/page.html`;
    const args = [`http://127.0.0.1:${server.addr.port}/`, "--out", out];
    const { code, stderr } = await within(5_000, "deno task 01 to fail", runCli(fetcher.cli, args));
    assert.equal(code, 1);
    assert.equal(stderr.length, 1, `one line, no stack trace: ${stderr.join("\n")}`);
    // The kernel hands over the 50,000 bytes it holds, then the reset (or an
    // end of stream, depending on when it comes).
    assert.match(stderr[0], /^error: .*(reset the connection|cut off after 50000 of 100000 bytes)/);
    assert.deepEqual([...Deno.readDirSync(dir)], [], "nothing saved");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lesson 05's server refuses a 4 GiB header before reading a byte of payload", async () => {
  // The same in the other direction: the client refuses a reply announcing 4 GiB.
  await using server = dyingServer(async (conn) => {
    await readChunk(conn, 1024);
    await writeAll(conn, frameHeader(0xffff_ffff));
  });
  await failsInOneLine(
    within(
      5_000,
      "the client to refuse the header",
      framed.runFramedClient({ port: server.addr.port, messages: ["hi"] }),
    ),
    /announced 4294967295 bytes/,
  );
});
