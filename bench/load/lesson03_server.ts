/**
 * Lesson 03's server for the load benchmark, started through the lesson's
 * own API (`startHelloServer`), as `deno task 03 server` starts it but
 * without a connection limit: Node's and Python's peers have none, and a
 * scenario of 1,000 clients must not meet stragglers from the last one.
 * It logs each connection to stdout, as the lesson's command line does.
 *
 *   deno run --allow-net=127.0.0.1 bench/load/lesson03_server.ts PORT
 *
 * @module
 */

import { startHelloServer } from "../../lessons/03_tcp_hello.ts";

if (import.meta.main) {
  const server = startHelloServer({
    port: Number(Deno.args[0] ?? 0),
    maxConnections: 1_000_000,
    log: (line) => console.log(line),
  });
  Deno.addSignalListener("SIGINT", () => void server.close());
  await server.finished;
}
