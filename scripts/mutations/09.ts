/**
 * Bugs to plant in lesson 09 (see `all.ts`).
 *
 * @module
 */

import type { Mutation } from "./all.ts";

const TESTS = ["tests/09_ports_backlog.test.ts"];

/** Lesson 09's mutations. */
export const MUTATIONS_09: readonly Mutation[] = [
  {
    id: "09-backlog-ignored",
    file: "lessons/09_ports_backlog.ts",
    find: `return Deno.listen({ hostname: "127.0.0.1", port, tcpBacklog: backlog });`,
    replace: `return Deno.listen({ hostname: "127.0.0.1", port });`,
    why: "listen(5) is called without its backlog: Deno's 511 applies",
    tests: TESTS,
  },
  {
    id: "09-reuse-port-dropped",
    file: "lessons/09_ports_backlog.ts",
    find: `reusePort: options.reusePort,`,
    replace: ``,
    why: "--reuse-port is ignored: the second listener gets AddrInUse",
    tests: TESTS,
  },
  {
    id: "09-udp-on-another-port",
    file: "lessons/09_ports_backlog/tcp_and_udp.ts",
    find: `const udp = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port });`,
    replace:
      `const udp = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });`,
    why: "the UDP socket takes any free port, not the TCP listener's number",
    tests: TESTS,
  },
];
