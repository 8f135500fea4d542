/**
 * # 07 · The narrated demo
 *
 * What `deno task 07` runs, in one process, with keyboards typed by the
 * script: the tutorial's turn-based chat, three people in the full-duplex
 * chat, a member who stops reading, and one who says nothing at all.
 *
 * @module
 */

import { writeAll } from "../../lib/io.ts";
import { scriptedKeyboard } from "./keyboard.ts";
import { encodeLine } from "../../lib/lines.ts";
import { type Log, prefixed } from "../../lib/log.ts";
import { linesFrom, runTurnClient, startTurnServer } from "../07_chat.ts";
import { runChatClient, startChatServer } from "./3_relay.ts";

/** The demo, step by step. */
export async function demo(log: Log): Promise<void> {
  // Step 1: the tutorial's chat. Both keyboards are typed in advance, but
  // each line still waits its turn: hear, then speak, then hear...
  log("1. Turn-based (the tutorial's example 3): each side waits for the other.");
  {
    await using server = startTurnServer({
      port: 0,
      input: scriptedKeyboard(["hello!", "fine, thanks"]).lines,
      log: prefixed(log, "server"),
    });
    await runTurnClient({
      port: server.addr.port,
      input: scriptedKeyboard(["hi", "how are you?", "esc"]).lines,
      log: prefixed(log, "client"),
    });
    await server.ending;
  }

  // Step 2: the full-duplex chat. Each client reads its keyboard and its
  // socket at the same time, so nobody waits for a turn.
  log("");
  log("2. Full duplex: three clients, one relay server; anyone speaks at any time.");
  {
    await using server = startChatServer({ port: 0, log: prefixed(log, "server") });
    const join = (name: string) => {
      const keyboard = scriptedKeyboard();
      const screen = watched(prefixed(log, name));
      const chat = runChatClient({
        port: server.addr.port,
        name,
        input: keyboard.lines,
        echo: true,
        log: screen.log,
      });
      chat.then(
        () => screen.end(new Error(`${name}'s chat ended before the line the demo waits for`)),
        (err) => screen.end(err instanceof Error ? err : new Error(String(err))),
      );
      return { keyboard, screen, chat };
    };
    const alice = join("alice");
    await alice.screen.seen(/^\* welcome/);
    const bob = join("bob");
    await alice.screen.seen(/\* bob joined/);
    alice.keyboard.type("hi bob");
    await bob.screen.seen(/alice: hi bob/);
    // Two lines in a row: with turns, the second would wait for alice's answer.
    bob.keyboard.type("hi alice");
    bob.keyboard.type("two lines in a row: no turns here");
    await alice.screen.seen(/bob: two lines in a row/);
    const carol = join("carol");
    await bob.screen.seen(/\* carol joined/);
    carol.keyboard.type("hello, both of you");
    await alice.screen.seen(/carol: hello/);
    await bob.screen.seen(/carol: hello/);
    // Leaving: /quit, Ctrl+D, and the server closing.
    alice.keyboard.type("/quit");
    await alice.chat;
    await bob.screen.seen(/\* alice left/);
    bob.keyboard.end(); // Ctrl+D
    await bob.chat;
    await carol.screen.seen(/\* bob left/);
    await server.close();
    await carol.chat;
  }

  // Step 3: backpressure. "slow" joins and then reads nothing; alice talks.
  // The kernels' buffers fill, the server's writes to slow wait, its queue
  // for slow grows past --max-pending, and the server hangs up on slow.
  // Alice never waits.
  log("");
  log("3. A member who stops reading (step 4): 16 KiB lines until the server gives up.");
  {
    const serverLog = watched(prefixed(log, "server"));
    const maxPending = 256 * 1024;
    await using server = startChatServer({ port: 0, maxPending, log: quietLines(serverLog.log) });
    using slow = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    await writeAll(slow, encodeLine("slow"));
    await linesFrom(slow).next(); // its welcome; after that, slow reads nothing
    using alice = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    await writeAll(alice, encodeLine("alice"));
    let gaveUp = false;
    serverLog.seen(/slow is not reading/).then(() => gaveUp = true, () => {});
    let sent = 0;
    for (const line = encodeLine("x".repeat(16 * 1024)); !gaveUp; sent += line.length) {
      await writeAll(alice, line);
    }
    await serverLog.seen(/slow left/);
    // What the server's writes handed to the kernels for slow, read back now.
    let held = 0;
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (let n; (n = await slow.read(buffer)) !== null;) held += n;
    } catch (err) {
      if (!(err instanceof Deno.errors.ConnectionReset)) throw err; // the rest was dropped
    }
    log(`   The kernels took ${mb(held)} for slow before the server's writes had to wait;`);
    log(`   then ${maxPending / 1024} KiB queued in the server, and it hung up on slow.`);
    log(`   Alice never waited for slow: she had sent ${mb(sent)} by then.`);
  }

  // Step 4: a member who says nothing. Dead or just quiet, the server cannot
  // tell; the idle timeout closes it (step 4 explains keepalive too).
  log("");
  log("4. A member who says nothing: closed by the idle timeout (here 200 ms).");
  {
    const serverLog = watched(prefixed(log, "server"));
    await using server = startChatServer({ port: 0, idleTimeoutMs: 200, log: serverLog.log });
    using quiet = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    await writeAll(quiet, encodeLine("quiet"));
    await serverLog.seen(/closed: idle for 200 ms/);
  }
}

/** Bytes as megabytes, for people. */
function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** The server's log without its lines about each 16 KiB message. */
function quietLines(log: Log): Log {
  return (line) => line.startsWith("alice: ") || log(line);
}

/** A log whose lines a script can wait for: "when you see X, type Y". */
function watched(
  log: Log,
): { log: Log; seen(pattern: RegExp): Promise<void>; end(why: Error): void } {
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: () => void; reject: (why: Error) => void }[] = [];
  let ended: Error | undefined;
  return {
    log(line) {
      lines.push(line);
      log(line);
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    },
    seen(pattern) {
      if (lines.some((line) => pattern.test(line))) return Promise.resolve();
      if (ended) return Promise.reject(ended);
      return new Promise((resolve, reject) => waiters.push({ pattern, resolve, reject }));
    },
    // The chat is over: no more lines will come. A chat that ends early (a
    // bug) fails the demo instead of leaving it waiting for ever.
    end(why) {
      ended = why;
      for (const waiter of waiters.splice(0)) waiter.reject(why);
    },
  };
}
