/**
 * # Exercise 02a · The tutorial's server: accept, read, answer, close (the reference solution)
 *
 * @module
 */

import { TUTORIAL_ANSWER } from "../../../lessons/02_hello_http.ts";
import { writeAll } from "../../../lib/io.ts";
import { type Log, silent } from "../../../lib/log.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Serves one client after another; returns once `listener` is closed. */
export async function serveLikeTheTutorial(
  listener: Deno.TcpListener,
  log: Log = silent,
): Promise<void> {
  // Python: while True: c,a = s.accept(). The loop ends when the listener is closed.
  for await (const accepted of listener) {
    // Python: c.close() at the end of the turn: `using` closes it, even after an error.
    using c = accepted;
    try {
      // Python: data = c.recv(1024).decode(); print(data)
      const buffer = new Uint8Array(1024);
      const n = await c.read(buffer);
      const data = decoder.decode(buffer.subarray(0, n ?? 0));
      for (const line of data.trimEnd().split("\r\n")) log(line);
      // Python: c.sendall(html.encode())
      await writeAll(c, encoder.encode(TUTORIAL_ANSWER));
    } catch (err) {
      // One client's reset must not stop the server.
      log(`lost a client: ${err instanceof Error ? err.message : err}`);
    }
  }
}
