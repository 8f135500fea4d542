/**
 * # 08 · The narrated demo
 *
 * What `deno task 08` runs, in one process on `.tmp/08_demo.sock`: lesson
 * 03's conversation over a socket file, where the bytes really go, the
 * file's life (a second server refused, a crash's stale file cleared) and
 * TCP on 127.0.0.1 against a Unix socket, timed.
 *
 * @module
 */

import { formatError } from "../../lib/errors.ts";
import { type Log, prefixed } from "../../lib/log.ts";
import {
  bytesBypassTheFile,
  DEMO_PATH,
  runUnixHelloClient,
  startUnixHelloServer,
} from "../08_unix_sockets.ts";
import { explainUnixError, leaveStaleSocket, socketMode } from "./socket_file.ts";
import { timeConnects, timeRoundTrips, type Times } from "./speed.ts";

/** The demo, step by step. */
export async function demo(log: Log): Promise<void> {
  const path = DEMO_PATH;
  const server = prefixed(log, "server");
  const client = prefixed(log, "client");

  // Step 1: lesson 03's server and client, over a path instead of a port.
  // The file's mode (ls -l) decides who may connect: connect() needs write
  // permission on it (unix(7)).
  log("1. Lesson 03's server and client over a Unix socket:");
  {
    await using _server = await startUnixHelloServer({ path, log: server });
    await runUnixHelloClient({ path, log: client });
    log(`   While it runs, ${path} is a socket file: ${socketMode(await Deno.lstat(path))}.`);

    // Step 2: one path, one server. The second knocks first (the server
    // logs that short connection), finds a live server, and leaves.
    try {
      await using _second = await startUnixHelloServer({ path });
    } catch (err) {
      log(`2. A second server on the same path: ${formatError(err)}`);
    }
  }
  log(`   After close(): ${await describeFile(path)} (Deno removes it; Python needs os.unlink).`);

  // Step 3: the bytes never touch the file.
  log("");
  log("3. Where the bytes go:");
  const bypass = await bytesBypassTheFile(path);
  log(
    `   ${bypass.queued} bytes written, not yet read: the socket file is ${bypass.fileSize} bytes.`,
  );
  log(`   The file deleted, the server still read ${bypass.readAfterDelete} bytes and answered`);
  log(`   "${bypass.answerAfterDelete}"; only a new client failed: ${bypass.newClient}.`);
  log("   The file is a name and a permission gate; the data goes kernel buffer to kernel buffer.");

  // Step 4: a crash leaves the file behind. Clients are refused at once,
  // and a new server removes the stale file instead of failing.
  log("");
  await leaveStaleSocket(path);
  log(`4. A crashed server: ${await describeFile(path)}.`);
  try {
    await runUnixHelloClient({ path });
  } catch (err) {
    log(`   A client now: ${formatError(explainUnixError(err, { action: "connect", path }))}`);
  }
  {
    await using _server = await startUnixHelloServer({ path, log: server });
    const replies = await runUnixHelloClient({ path, names: ["again"] });
    log(`   A client after the restart: ${replies.join(" ")}`);
  }

  // Step 5: the same work over TCP on 127.0.0.1 and over the Unix socket.
  log("");
  log("5. One rough measurement each (deno bench bench/unix_vs_tcp_bench.ts does it properly):");
  logTimes(log, "hello round trips on one connection", await timeRoundTrips(path, 2_000));
  logTimes(log, "connections opened and closed", await timeConnects(path, 500));
  log("   In Deno most of that time is the cost of the calls themselves, so the gap is small.");
  log("   What the Unix socket saves is kernel work: no segments, ACKs or windows per write;");
  log("   to connect, no handshake; to close, no FIN exchange and no TIME_WAIT.");
  log("   Pick a Unix socket when both ends are on one machine (a database, a local daemon);");
  log("   TCP as soon as the peer may be elsewhere, or speaks only TCP (a browser).");
}

/** Two lines: the TCP and the Unix time for one measurement. */
function logTimes(log: Log, what: string, times: Times): void {
  const per = (ms: number) => `${((ms / times.rounds) * 1000).toFixed(1)} µs each`;
  log(`   ${times.rounds} ${what}:`);
  log(`     TCP 127.0.0.1: ${times.tcpMs.toFixed(0).padStart(4)} ms, ${per(times.tcpMs)}`);
  log(`     Unix socket:   ${times.unixMs.toFixed(0).padStart(4)} ms, ${per(times.unixMs)}`);
}

/** `.tmp/x.sock is a socket file (srwxr-xr-x)`, `... is gone`, or `... is a file`. */
async function describeFile(path: string): Promise<string> {
  try {
    const info = await Deno.lstat(path);
    return info.isSocket ? `${path} is a socket file (${socketMode(info)})` : `${path} is a file`;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return `${path} is gone`;
    throw err;
  }
}
