import * as lesson from "../../lessons/08_unix_sockets.ts";
import { clearStaleSocket } from "../../lessons/08_unix_sockets/socket_file.ts";
import type { Log } from "../../lib/log.ts";
import type { Server } from "../../lib/serve.ts";
import { underTest } from "../_exercise.ts";
import { lockSocketPath } from "../_socket_lock.ts";
import { within } from "../_util.ts";
import { hostileSuite } from "./_harness.ts";
import { helloCases, type HelloTransport, helloWellBehaved } from "./_hello_cases.ts";

// The server under attack: the lesson's serveHello(), or exercise 08d's
// (the cases tagged #08d, when `deno task verify 08d` checks it).
const serveHello = await underTest(lesson, "serveHello");

/** A server on the one socket path the test task grants, holding its lock until closed. */
interface UnixServer {
  readonly path: string;
  readonly connections: number;
  close(graceMs?: number): Promise<void>;
}

const unix: HelloTransport<UnixServer> = {
  connect: (server) =>
    within(
      2_000,
      `a connection to ${server.path}`,
      Deno.connect({ transport: "unix", path: server.path }),
    ),
  client: (server, names, log) => lesson.runUnixHelloClient({ path: server.path, names, log }),
};

/**
 * Serves lesson 03's protocol on `.tmp/08_demo.sock` with the serveHello()
 * under test, on a listener from the lesson's listenUnix(); two test runs
 * at once take turns.
 */
async function start(options: lesson.UnixHelloServerOptions, log: Log): Promise<UnixServer> {
  const path = lesson.DEMO_PATH;
  const lock = await lockSocketPath(path);
  let server: Server<Deno.UnixAddr>;
  try {
    const clearing = clearStaleSocket(path, log); // a file a crashed run left behind
    await within(2_000, `a knock on ${path} (a file left by an earlier run?)`, clearing);
    server = serveHello(lesson.listenUnix(path), { idleTimeoutMs: 10_000, ...options, log });
  } catch (err) {
    await lock[Symbol.asyncDispose]();
    throw err;
  }
  let closed: Promise<void> | undefined;
  return {
    path,
    get connections() {
      return server.connections;
    },
    close(graceMs?: number) {
      return closed ??= server.close(graceMs).finally(() => lock[Symbol.asyncDispose]());
    },
  };
}

const suite = hostileSuite({
  lesson: "08",
  start,
  wellBehaved: (server) => helloWellBehaved(unix, server),
  checks: { overLimit: "#08d", idle: "#08d" },
});

helloCases(suite, unix);
suite.coversItsColumn();
