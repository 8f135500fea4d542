/**
 * # 09 · Ports, addresses and the backlog: what the kernel really does
 *
 * The tutorials make claims about `bind()` and `listen()`: Liao Xuefeng's
 * «TCP编程» (a bound port cannot be bound again; ports under 1024 need
 * administrator rights), the blog post «Socket概念…黏包现象» (`SO_REUSEADDR`
 * after a restart; `listen(5)` as the 半连接池 that lets five clients in)
 * and 呆贝斯's notes (TCP and UDP both on 9999). This lesson checks each on
 * Linux by doing it and asking the kernel, in five steps:
 *
 *   lessons/09_ports_backlog/port_in_use.ts   a taken port, reusePort, ports < 1024, ephemeral ports
 *   lessons/09_ports_backlog/tcp_and_udp.ts   TCP and UDP on one port number
 *   lessons/09_ports_backlog/time_wait.ts     TIME_WAIT, and what SO_REUSEADDR allows
 *   lessons/09_ports_backlog/backlog.ts       the SYN queue, the accept queue, listen(5)
 *   lessons/09_ports_backlog/addresses.ts     127.0.0.1, 0.0.0.0, ::1, and :: (dual stack)
 *
 * Run it:  deno task 09                                  (the measured demo)
 *          deno task 09 backlog --backlog 5 --clients 10
 *          deno task 09 bind --port 9999                  (twice: the port is taken;
 *                                                          twice with --reuse-port: shared)
 *          deno task 09 server --host ::                  (then: deno task 09 client,
 *                                                          an IPv4 client of an IPv6 server)
 *
 * @module
 */

import { command, type LessonCli, runLesson } from "../lib/cli.ts";
import { HELLO_PORT, TUTORIAL_NAMES } from "../lib/hello.ts";
import { serve, type Server } from "../lib/serve.ts";
import { runHelloClient, startHelloServer } from "./03_tcp_hello.ts";
import {
  DEFAULT_BACKLOG_TIMEOUT_MS,
  measureBacklog,
  TUTORIAL_BACKLOG,
} from "./09_ports_backlog/backlog.ts";
import { demo, logBacklog } from "./09_ports_backlog/demo.ts";

// ── The tutorial's server, and its backlog ──────────────────────────────────

/**
 * The tutorial's `bind()` and `listen(5)`. The backlog is not how many
 * clients may be served: it bounds the queue of connections whose
 * handshake the kernel has finished and that wait for `accept()` (step 4).
 */
export function listenLikeTheTutorial(
  port: number = HELLO_PORT,
  backlog: number = TUTORIAL_BACKLOG,
): Deno.TcpListener {
  // Python: s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
  //         s.bind(('127.0.0.1', 9999))
  //         s.listen(5)
  return Deno.listen({ hostname: "127.0.0.1", port, tcpBacklog: backlog });
}

/**
 * Holds a port until closed: accepts each connection and hangs up. Run it
 * twice to see the port taken; with `reusePort` (Python's `SO_REUSEPORT`)
 * in both, to see the kernel share it between them.
 */
export function holdPort(
  options: { host: string; port: number; reusePort?: boolean },
): Server {
  const listener = Deno.listen({
    hostname: options.host,
    port: options.port,
    reusePort: options.reusePort,
  });
  return serve(listener, () => Promise.resolve());
}

// ── The command line ────────────────────────────────────────────────────────

/** `deno task 09 [backlog | bind | server | client]`: see `--help`. */
export const cli: LessonCli = {
  id: "09",
  title: "ports, addresses and the backlog, measured",
  defaultPort: HELLO_PORT,
  demo,
  commands: {
    backlog: command({
      summary: "listen(N), nobody accepts; clients connect one by one; count their fates",
      flags: {
        backlog: {
          type: "int",
          default: TUTORIAL_BACKLOG,
          min: 0,
          max: 4096,
          help: "the backlog: listen(N)",
        },
        clients: {
          type: "int",
          default: 0,
          min: 0,
          max: 5000,
          help: "how many clients (0: backlog + 3)",
        },
        "timeout-ms": {
          type: "int",
          default: DEFAULT_BACKLOG_TIMEOUT_MS,
          min: 1,
          max: 60_000,
          help: "how long each client waits for its handshake",
        },
      },
      run: async ({ flags, log }) => {
        const { backlog } = flags;
        const clients = flags.clients || backlog + 3;
        log(`listen(${backlog}); nobody calls accept(); ${clients} clients connect one by one:`);
        const timeoutMs = flags["timeout-ms"];
        logBacklog(log, await measureBacklog({ backlog, clients, timeoutMs, log }));
      },
    }),
    bind: command({
      summary: "hold a TCP port until Ctrl+C (run it twice: the port is taken)",
      flags: {
        "reuse-port": { type: "boolean", help: "set SO_REUSEPORT: two of these share the port" },
      },
      run: ({ host, port, flags, log }) => {
        const server = holdPort({ host, port, reusePort: flags["reuse-port"] });
        log(
          `Holding ${host}:${port} (TCP). Run the same command in another terminal. Ctrl+C ends.`,
        );
        return server;
      },
    }),
    server: command({
      summary: "lesson 03's server, on the address you choose (try --host :: or ::1)",
      limits: { refusal: `a "Busy: ..." line and a close` },
      run: ({ host, port, log, limits }) => startHelloServer({ host, port, log, ...limits }),
    }),
    client: command({
      summary: "lesson 03's client (default: Michael Tracy Sarah)",
      args: "[NAME...]",
      run: async ({ host, port, args, log }) => {
        const names = args.length > 0 ? args : TUTORIAL_NAMES;
        for (const reply of await runHelloClient({ host, port, names })) log(reply);
      },
    }),
  },
  epilogue: `The demo reads the kernel with ss, sysctl and nstat (deno task 09 allows those three).
Dual stack: deno task 09 server --host ::   then   deno task 09 client --host 127.0.0.1`,
};

if (import.meta.main) Deno.exit(await runLesson(cli, Deno.args));
