import type { UnixHelloServerOptions } from "../../lessons/08_unix_sockets.ts";
import type { UnixServer } from "../../lib/unix.ts";
import { connectUnix } from "../../lib/unix.ts";
import { loadLesson } from "../_lesson.ts";
import { hostileSuite } from "./_harness.ts";
import { helloCases, type HelloTransport, helloWellBehaved } from "./_hello_cases.ts";

const lesson = await loadLesson<typeof import("../../lessons/08_unix_sockets.ts")>(
  "08_unix_sockets.ts",
);

// The one socket file the test task may use (--allow-net=unix:$PWD/.tmp/08_demo.sock).
const unix: HelloTransport<UnixServer> = {
  connect: (server) => connectUnix({ path: server.path }),
  client: (server, names, log) => lesson.runUnixHelloClient({ path: server.path, names, log }),
};

const suite = hostileSuite({
  lesson: "08",
  start: (options: UnixHelloServerOptions, log) =>
    lesson.startUnixHelloServer({ path: lesson.DEMO_PATH, idleTimeoutMs: 10_000, ...options, log }),
  wellBehaved: (server) => helloWellBehaved(unix, server),
});

helloCases(suite, unix);
suite.coversItsColumn();
