/**
 * # 07 · Step 4: backpressure, and members who died
 *
 * What the tutorial leaves out of a relay: the people it writes to.
 *
 * **A member who stops reading.** `conn.write()` resolves once the kernel has
 * taken the bytes into its send buffer, not once they arrived. A member whose
 * program stops reading (stuck, suspended with Ctrl+Z) lets its kernel's
 * receive buffer fill, then ours; from then on `write()` waits. That wait is
 * backpressure: TCP's flow control telling the sender to slow down. On this
 * machine's loopback the two buffers took about 4 MB before a write waited
 * (the demo measures it).
 *
 * If the relay awaited each member's write in turn, one stuck member would
 * stop the chat for everyone. So each member has an outbox: `send()` queues a
 * line and returns at once, and the outbox writes its lines in order, on its
 * own. A queue must not grow without end either: past `maxPending` bytes
 * (`--max-pending`, default 1 MiB) the relay gives up on that member and
 * hangs up. It cannot tell a stuck member from one that reads more slowly
 * than the fastest sender writes: both are dropped (IRC servers call it "Max
 * SendQ exceeded"). The other choice is to slow the sender down, reading no
 * more of her socket while her lines wait, so that TCP's flow control pushes
 * back on her; then one stuck member stalls everybody.
 *
 * **A member whose machine died** (power cut, cable pulled, laptop closed)
 * sends no FIN and no RST: it just stops. TCP says nothing about a silent
 * connection, so a read on it waits for ever (a half-open connection). What
 * ends it:
 *
 * - a write: the next line sent to the member is retransmitted unanswered
 *   until `net.ipv4.tcp_retries2` (15 retransmissions, at least 924.6 s:
 *   tcp(7)), then the waiting read fails with `TimedOut`. If the machine is
 *   up but the connection is gone (it rebooted), its kernel answers with an
 *   RST at once, and the read fails with `ConnectionReset`;
 * - TCP keepalive (RFC 9293 §3.8.4): after 2 hours of silence the kernel
 *   probes 9 times, 75 s apart, then fails the read the same way
 *   (`tcp_keepalive_time`, `_intvl`, `_probes` in tcp(7)). Deno's
 *   `conn.setKeepAlive(true)` only switches it on (step 3 does): the times are
 *   the machine's, and it never closes a member who is alive but silent;
 * - the idle timeout of `lib/serve.ts` (`--idle-timeout-ms`, default 5
 *   minutes): a member who has neither said nor been sent anything for that
 *   long is closed, dead or merely quiet. A chat whose members may lurk in a
 *   quiet room would turn it off (`--idle-timeout-ms 0`) and rely on
 *   keepalive, or send its own heartbeat line now and then, as IRC's
 *   PING/PONG does.
 *
 * @module
 */

import { concatBytes } from "../../lib/io.ts";
import { encodeLine } from "../../lib/lines.ts";

/** How many people one relay takes unless told (`--max-members`): each costs a socket and a queue. */
export const DEFAULT_MAX_MEMBERS = 100;

/** How many bytes may wait to be sent to one member unless told (`--max-pending`): 1 MiB. */
export const DEFAULT_MAX_PENDING = 1024 * 1024;

/**
 * For the relay's own lines: a member's line (already within `--max-line`)
 * with a name in front, or a short notice. No length check needed.
 */
export const UNCHECKED = { maxLine: Number.MAX_SAFE_INTEGER };

/** The way back to one member. */
export interface Outbox {
  /** Queues one line for this member. Never waits. */
  send(line: string): void;
  /** Waits until everything queued is written, then shuts down our sending side. */
  hangUp(): Promise<void>;
}

/**
 * A member's outbox: `send()` queues a line and returns at once; one write
 * loop per member takes everything queued so far and writes it, in order.
 * Once more than `maxPending` bytes wait (queued, or offered to `write()`
 * and not yet taken by the kernel), it stops taking lines and calls
 * `onTooSlow` (the relay hangs up). If the connection breaks, later lines are
 * dropped: the member's read loop notices the break and says who left.
 */
export function outbox(conn: Deno.Conn, maxPending: number, onTooSlow: () => void): Outbox {
  const queued: Uint8Array[] = [];
  let pending = 0; // bytes queued or being written, not yet taken by the kernel
  let open = true;
  let writing: Promise<void> | undefined; // the write loop, while it runs

  async function writeQueued(): Promise<void> {
    try {
      while (queued.length > 0) {
        // All that waits, in one write: one line per write would fall behind
        // a sender whose one read brings several lines.
        let bytes = concatBytes(queued.splice(0));
        while (bytes.length > 0) {
          // Python: n = conn.send(bytes). It waits while the kernel's send
          // buffer is full, and may take only part: lesson 03's partial write.
          const n = await conn.write(bytes);
          pending -= n;
          bytes = bytes.subarray(n);
        }
      }
    } catch {
      open = false; // the connection broke
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
      try {
        // Python: conn.shutdown(socket.SHUT_WR): a FIN after the last line.
        await conn.closeWrite();
      } catch {
        // already closed: nothing to shut down
      }
    },
  };
}
