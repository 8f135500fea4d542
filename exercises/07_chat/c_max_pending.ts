/**
 * # Exercise 07c · A member who stops reading: a limit on what waits for them
 *
 * Lesson 07, step 4 (`lessons/07_chat/4_backpressure.ts`). `conn.write()`
 * waits while the member's kernel and ours hold all they can, so the relay
 * never awaits a member's writes: `send()` queues the line and returns at
 * once, and one write loop per member empties the queue. A member who never
 * reads would make that queue grow without end. Past `maxPending` bytes the
 * relay gives up on them (`--max-pending`, IRC's "Max SendQ exceeded").
 *
 * Check it:  deno task verify 07c        Stuck?  deno task hint 07c
 *
 * @module
 */

import { type Outbox, UNCHECKED } from "../../lessons/07_chat/4_backpressure.ts";
import { concatBytes } from "../../lib/io.ts";
import { encodeLine } from "../../lib/lines.ts";

/** One member's outbox: `send()` queues a line and never waits. */
export function outbox(conn: Deno.Conn, maxPending: number, onTooSlow: () => void): Outbox {
  const queued: Uint8Array[] = [];
  let open = true; // false: we gave up on this member, or its connection broke
  let writing: Promise<void> | undefined; // the write loop, while it runs

  async function writeQueued(): Promise<void> {
    try {
      while (queued.length > 0) {
        let bytes = concatBytes(queued.splice(0)); // all that waits, in one write
        while (bytes.length > 0) {
          const n = await conn.write(bytes); // Python: n = conn.send(bytes)
          bytes = bytes.subarray(n);
        }
      }
    } catch {
      open = false; // the connection broke: later lines are dropped
    } finally {
      writing = undefined;
    }
  }

  return {
    send(line) {
      if (!open) return;
      const bytes = encodeLine(line, UNCHECKED);
      // TODO(07c): count the bytes that wait for this member: queued, or
      // handed to write() and not yet taken by the kernel. Once more than
      // maxPending wait, take no more lines and call onTooSlow() instead.
      // When it works, a member who never reads is given up on at the first
      // byte past maxPending (not at maxPending), and one who keeps reading
      // never is, however much passes through.
      queued.push(bytes);
      writing ??= writeQueued(); // only this member's loop waits for this member
    },
    async hangUp() {
      open = false;
      await writing;
      await conn.closeWrite().catch(() => {}); // Python: conn.shutdown(socket.SHUT_WR)
    },
  };
}
