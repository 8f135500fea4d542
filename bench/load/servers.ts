/**
 * The servers `deno task bench:load` compares, and how to start and stop
 * one: a fresh process per measurement, on a free port, ready once the port
 * accepts a connection (so any version of a lesson works, whatever it prints).
 *
 * @module
 */

import { LessonError } from "../../lib/errors.ts";
import { denoCommand } from "./deno_command.ts";

const ROOT = new URL("../../", import.meta.url);

/** A server under test. */
export interface ServerSpec {
  /** Short name for `--servers` and the verdicts. */
  id: string;
  /** What the tables call it. */
  label: string;
  /** The command line, given the port. */
  command(port: number): { cmd: string; args: string[] };
}

const deno = (...args: string[]) => ({ cmd: denoCommand(), args });

/** The hello-protocol servers (lesson 03's protocol), in the table's order. */
export const HELLO_SERVERS: readonly ServerSpec[] = [
  {
    id: "lesson",
    label: "lesson 03 (Deno)",
    // Through the lesson's API, startHelloServer(), without a connection limit.
    command: (port) =>
      deno("run", "--allow-net=127.0.0.1", "bench/load/lesson03_server.ts", `${port}`),
  },
  {
    id: "ref",
    label: "plain Deno (30 lines)",
    command: (port) =>
      deno("run", "--allow-net=127.0.0.1", "bench/peers/deno_ref_server.ts", `${port}`),
  },
  {
    id: "node",
    label: "Node net",
    command: (port) => ({ cmd: "node", args: ["bench/peers/node_hello_server.mjs", `${port}`] }),
  },
  {
    id: "deno-node",
    label: "node:net on Deno",
    // The same JavaScript as Node's row, run by Deno: its sockets go through
    // Deno's libuv-like layer instead of one async op per read().
    command: (port) =>
      deno("run", "--allow-net=127.0.0.1", "bench/peers/node_hello_server.mjs", `${port}`),
  },
  {
    id: "python",
    label: "Python threads",
    command: (port) => ({
      cmd: "python3",
      args: ["bench/peers/python_threaded_server.py", `${port}`],
    }),
  },
];

/** The HTTP servers of the wrk scenario. */
export const HTTP_SERVERS: readonly ServerSpec[] = [
  {
    id: "lesson02",
    label: "lesson 02 (raw TCP)",
    // Its command line, as a learner runs it: works with any version of the lesson.
    command: (port) => deno("task", "02", "server", "--port", `${port}`),
  },
  {
    id: "node-http",
    label: "Node http",
    command: (port) => ({ cmd: "node", args: ["bench/peers/node_http_server.mjs", `${port}`] }),
  },
  {
    id: "deno-serve",
    label: "Deno.serve",
    command: (port) =>
      deno("run", "--allow-net=127.0.0.1", "bench/peers/deno_serve_server.ts", `${port}`),
  },
];

/**
 * A server given on the command line: `id=command with {port}`, e.g.
 * `ahead=deno run --allow-net=127.0.0.1 bench/fairness/hello_variants.ts {port} ahead`.
 *
 * @example
 * ```ts
 * import { customServer } from "./servers.ts";
 * import assert from "node:assert/strict";
 *
 * const spec = customServer("py=python3 x.py {port}");
 * assert.deepEqual(spec.command(5), { cmd: "python3", args: ["x.py", "5"] });
 * ```
 */
export function customServer(text: string): ServerSpec {
  const at = text.indexOf("=");
  if (at < 1 || !text.includes("{port}")) {
    throw new LessonError(`--extra wants ID=COMMAND with {port} in it; got "${text}"`);
  }
  const [cmd, ...args] = text.slice(at + 1).trim().split(/\s+/);
  return {
    id: text.slice(0, at),
    label: text.slice(0, at),
    command: (port) => ({
      cmd: cmd === "deno" ? denoCommand() : cmd,
      args: args.map((a) => a.replaceAll("{port}", `${port}`)),
    }),
  };
}

/** A server process started for one measurement; disposing of it stops it. */
export interface StartedServer extends AsyncDisposable {
  /** Where it listens, on 127.0.0.1. */
  port: number;
}

/** A port nobody listens on right now (the kernel's pick, released at once). */
function freePort(): number {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return listener.addr.port;
}

/**
 * Starts `spec` on a free port; resolves once the port accepts a connection.
 * Its output is drained (servers log per connection; a full pipe would stall
 * them) and the end of its stderr kept for the error message.
 */
export async function startServer(
  spec: ServerSpec,
  readyWithinMs = 30_000,
): Promise<StartedServer> {
  const port = freePort();
  const { cmd, args } = spec.command(port);
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(cmd, {
      args,
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    })
      .spawn();
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    throw new LessonError(`${spec.label}: ${cmd} is not installed`);
  }
  let stderr = "";
  const drained = Promise.all([
    child.stdout.pipeTo(new WritableStream()),
    child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({ write: (text) => void (stderr = (stderr + text).slice(-2000)) }),
    ),
  ]);
  let exited = false;
  const status = child.status.then((s) => (exited = true, s));
  const deadline = Date.now() + readyWithinMs;
  while (true) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch {
      if (exited || Date.now() > deadline) {
        if (!exited) child.kill("SIGKILL");
        await status, await drained;
        throw new LessonError(
          `${spec.label} did not start: ${stderr.trim().split("\n").at(-1) ?? "no output"}`,
          `run it by hand to see why: ${[cmd, ...args].join(" ")}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    port,
    async [Symbol.asyncDispose]() {
      // SIGINT: the lessons close cleanly on Ctrl+C (deno task passes it on); the peers exit.
      if (!exited) child.kill("SIGINT");
      const timer = setTimeout(() => !exited && child.kill("SIGKILL"), 5_000);
      await status;
      clearTimeout(timer);
      await drained;
    },
  };
}
