import assert from "node:assert/strict";
import * as lesson from "../../lessons/03_tcp_hello.ts";
import type { HelloServerOptions } from "../../lessons/03_tcp_hello.ts";
import type { Server } from "../../lib/serve.ts";
import { underTest } from "../_exercise.ts";
import { within } from "../_util.ts";
import { connectAndReset, hostileSuite } from "./_harness.ts";
import { helloCases, type HelloTransport, helloWellBehaved } from "./_hello_cases.ts";

const startHelloServer = await underTest(lesson, "startHelloServer");

const tcp: HelloTransport<Server> = {
  connect: (server) => Deno.connect({ hostname: "127.0.0.1", port: server.addr.port }),
  client: (server, names, log) =>
    within(
      10_000,
      "the hello conversation",
      lesson.runHelloClient({ port: server.addr.port, names, log }),
    ),
};

const suite = hostileSuite({
  lesson: "03",
  start: (options: HelloServerOptions, log) =>
    startHelloServer({ port: 0, idleTimeoutMs: 10_000, ...options, log }),
  wellBehaved: (server) => helloWellBehaved(tcp, server),
  checks: { overLimit: "#03e", idle: "#03e" },
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
