/**
 * # 03 · The narrated demo
 *
 * What `deno task 03` runs: the tutorial's server and client in one process,
 * on a port the kernel picks, then what the tutorial only claims (clients
 * served at once) and what it never shows (a partial write, nc's newline).
 *
 * @module
 */

import { describeAddr } from "../../lib/addr.ts";
import { type Log, prefixed } from "../../lib/log.ts";
import {
  acceptLikeTheTutorial,
  listenLikeTheTutorial,
  runHelloClient,
  startHelloServer,
} from "../03_tcp_hello.ts";

/** The demo, step by step. */
export async function demo(log: Log): Promise<void> {
  const server = prefixed(log, "server");
  const client = prefixed(log, "client");

  // Step 1: the tutorial's server as it is, on a free port (port 0: the
  // kernel picks one), and the tutorial's client; then a name in UTF-8:
  // 张三 is 6 bytes on the wire, decoded back by the server.
  log("1. The tutorial's server and client:");
  {
    const listener = listenLikeTheTutorial(0);
    server(`Waiting for connection on ${describeAddr(listener.addr)}...`);
    const accepting = acceptLikeTheTutorial(listener, { log: server });
    await runHelloClient({ port: listener.addr.port, log: client });
    await runHelloClient({ port: listener.addr.port, names: ["张三"], log: client });
    listener.close();
    await accepting;
  }

  // Step 2: the tutorial's time.sleep(1), three clients at once. Each
  // handler sleeps on its own; nobody waits for anybody else.
  const delayMs = 50;
  log("");
  log(`2. Three clients at once; the server waits ${delayMs} ms after every read:`);
  {
    await using slow = startHelloServer({ port: 0, delayMs });
    const started = performance.now();
    const clients = ["A", "B", "C"].map((label) =>
      runHelloClient({ port: slow.addr.port, names: [`client ${label}`] })
    );
    for (const replies of await Promise.all(clients)) log(`   ${replies.join(" ")}`);
    const ms = performance.now() - started;
    log(`   All three finished in ${ms.toFixed(0)} ms, not ${3 * delayMs} ms.`);
  }

  // Step 3: write() may take fewer bytes than offered. A client that reads
  // nothing lets the kernel's buffers fill; one 8 MiB write then resolves
  // with only part of it taken, and a second would wait for room.
  log("");
  log("3. One write of 8 MiB to a client that reads nothing:");
  {
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    using _reader = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
    using conn = await listener.accept();
    const offered = 8 * 1024 * 1024;
    const taken = await conn.write(new Uint8Array(offered));
    log(
      `   offered ${offered.toLocaleString("en")} bytes, the kernel took ${
        taken.toLocaleString("en")
      }:`,
    );
    log("   so replies go through writeAll, which writes the rest (Python's sendall).");
  }

  // Step 4: nc sends what you type with its newline. This protocol has no
  // framing, so the newline is part of the name (and `exit` + Enter is not
  // `exit`). Lesson 05 puts boundaries on the wire.
  log("");
  log('4. What nc sends when you type "Michael" and Enter:');
  {
    await using hello = startHelloServer({ port: 0 });
    const [, reply] = await runHelloClient({ port: hello.addr.port, names: ["Michael\n"] });
    log(`   ${JSON.stringify("Michael\n")} → ${JSON.stringify(reply)}`);
  }
}
