/**
 * Ctrl+C for real: a lesson server in its own process gets SIGINT while a
 * client is connected. It must stop accepting, end the conversation, print
 * `Server closed.` and exit 0 (the in-process tests call `close()` instead).
 *
 * Run: deno task test:interop (part of deno task test)
 *
 * @module
 */

import assert from "node:assert/strict";
import { readChunk } from "../../lib/io.ts";

/** Reads a child's stdout line by line, remembering every line. */
function lineReader(stream: ReadableStream<Uint8Array>) {
  const lines: string[] = [];
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let pending = "";
  return {
    lines,
    /** The first line (already read or still to come) matching `pattern`. */
    async waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
      while (true) {
        for (const line of lines) {
          const match = line.match(pattern);
          if (match) return match;
        }
        const { value, done } = await reader.read();
        if (done) {
          throw new Error(`the server exited without printing ${pattern}:\n${lines.join("\n")}`);
        }
        pending += value;
        const parts = pending.split("\n");
        pending = parts.pop()!;
        lines.push(...parts);
      }
    },
    /** Everything until the child closes its stdout. */
    async rest(): Promise<string[]> {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        pending += value;
      }
      if (pending) lines.push(...pending.split("\n").filter((line) => line !== ""));
      return lines;
    },
  };
}

for (const graceMs of [0, 2_000]) {
  Deno.test(`Ctrl+C (SIGINT) with --grace-ms ${graceMs}: the client's connection ends, the server exits 0`, async () => {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net=127.0.0.1",
        "lessons/03_tcp_hello.ts",
        "server",
        "--port",
        "0",
        "--grace-ms",
        String(graceMs),
      ],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const out = lineReader(child.stdout);
    const stderr = new Response(child.stderr).text();
    try {
      const [, port] = await out.waitFor(/^Listening on 127\.0\.0\.1:(\d+)\./);
      using conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
      assert.equal(new TextDecoder().decode((await readChunk(conn, 1024))!), "Welcome!");
      await out.waitFor(/^Accept new connection from/);

      child.kill("SIGINT");
      // The server ends the conversation: our next read is end of stream.
      assert.equal(await readChunk(conn, 1024), null);
      const status = await child.status;
      const lines = await out.rest();
      assert.equal(status.code, 0, `exit code ${status.code}; stderr:\n${await stderr}`);
      assert.ok(lines.some((line) => line.startsWith("Ctrl+C:")), lines.join("\n"));
      assert.equal(lines.at(-1), "Server closed.");
      assert.equal(await stderr, "");
      // Nothing listens any more.
      await assert.rejects(() => Deno.connect({ hostname: "127.0.0.1", port: Number(port) }));
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* already exited */ }
      await child.status;
      await stderr;
    }
  });
}
