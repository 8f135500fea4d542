/**
 * # Exercise 07c · A member who stops reading: a limit on what waits for them (the reference solution)
 *
 * @module
 */

import { type Outbox, UNCHECKED } from "../../../lessons/07_chat/4_backpressure.ts";
import { concatBytes } from "../../../lib/io.ts";
import { encodeLine } from "../../../lib/lines.ts";

/** One member's outbox: `send()` queues a line and never waits. */
export function outbox(conn: Deno.Conn, maxPending: number, onTooSlow: () => void): Outbox {
  const queued: Uint8Array[] = [];
  let pending = 0; // bytes queued or being written, not yet taken by the kernel
  let open = true; // false: we gave up on this member, or its connection broke
  let writing: Promise<void> | undefined; // the write loop, while it runs

  async function writeQueued(): Promise<void> {
    try {
      while (queued.length > 0) {
        let bytes = concatBytes(queued.splice(0)); // all that waits, in one write
        while (bytes.length > 0) {
          const n = await conn.write(bytes); // Python: n = conn.send(bytes)
          pending -= n; // the kernel took these
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
      pending += bytes.length;
      if (pending > maxPending) {
        open = false;
        return onTooSlow();
      }
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
