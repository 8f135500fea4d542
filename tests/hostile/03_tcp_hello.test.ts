import assert from "node:assert/strict";
import type { HelloServerOptions } from "../../lessons/03_tcp_hello.ts";
import type { TcpServer } from "../../lib/server.ts";
import { loadLesson } from "../_lesson.ts";
import { connectAndReset, hostileSuite } from "./_harness.ts";
import { helloCases, type HelloTransport, helloWellBehaved } from "./_hello_cases.ts";

const lesson = await loadLesson<typeof import("../../lessons/03_tcp_hello.ts")>("03_tcp_hello.ts");

const tcp: HelloTransport<TcpServer> = {
  connect: (server) => Deno.connect({ hostname: "127.0.0.1", port: server.addr.port }),
  client: (server, names, log) => lesson.runHelloClient({ port: server.addr.port, names, log }),
};

const suite = hostileSuite({
  lesson: "03",
  start: (options: HelloServerOptions, log) =>
    lesson.startHelloServer({ port: 0, idleTimeoutMs: 10_000, ...options, log }),
  wellBehaved: (server) => helloWellBehaved(tcp, server),
});

helloCases(suite, tcp);

// A reset is TCP's: a Unix socket has none.
suite.test("reset", async ({ port, log }) => {
  const peer = `127.0.0.1:${await connectAndReset(port)}`;
  const last = await log.waitFor(new RegExp(`Connection from ${peer} (closed|was reset)`));
  const about = log.lines.filter((line) => line.includes(peer));
  assert.deepEqual(about, [`Accept new connection from ${peer}...`, last]);
});

suite.coversItsColumn();
