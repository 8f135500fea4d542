/**
 * # Exercise 07b · Full duplex: two loops over one connection
 *
 * Lesson 07, step 2 (`lessons/07_chat/2_full_duplex.ts`). The tutorial's chat
 * takes turns because one thread waits for one thing at a time. A TCP
 * connection is full duplex, and in Deno two loops can share it, each
 * `await` letting the other run: hear (socket → screen, given below) and
 * speak (keyboard → socket). Leaving is two steps, as in a phone call: shut
 * down our sending side, then keep hearing until the other side hangs up.
 *
 * Check it:  deno task verify 07b        Stuck?  deno task hint 07b
 *
 * @module
 */

import { linesFrom } from "../../lessons/07_chat.ts";
import {
  type BothWaysOptions,
  type BothWaysResult,
  QUIT,
} from "../../lessons/07_chat/2_full_duplex.ts";
import { isPeerGoneError } from "../../lib/errors.ts";
import { writeAll } from "../../lib/io.ts";
import { DEFAULT_MAX_LINE, encodeLine } from "../../lib/lines.ts";

/** Speaks and hears at once over `conn`; resolves when the chat is over for us. */
export async function talkBothWays(
  conn: Deno.Conn,
  options: BothWaysOptions,
): Promise<BothWaysResult> {
  const received: string[] = [];
  const keyboard = options.input.getReader(); // keyboard.read(): the next line typed, or done
  const hearing = hear(conn, received, options); // started, not awaited: it runs on its own
  hearing.catch(() => {});
  // TODO(07b): speak while `hearing` runs: send each line typed (as a line)
  // until QUIT or the end of input, never waiting for an answer. Whichever
  // ends first decides: if we left, shut down our sending side (a FIN) and
  // wait for `hearing`; if the other side hung up, stop reading the keyboard.
  // When it works, three lines go out while the other side says nothing, and
  // after /quit you still receive `* alice left` before the chat ends.
  return { received, left: "me" };
}

/** Socket → screen, until the other side hangs up. */
async function hear(
  conn: Deno.Conn,
  received: string[],
  options: BothWaysOptions,
): Promise<void> {
  try {
    for await (const line of linesFrom(conn, options.maxLineIn ?? DEFAULT_MAX_LINE)) {
      received.push(line);
      options.log?.(line);
      options.onLine?.(line);
    }
  } catch (err) {
    if (!isPeerGoneError(err)) throw err; // a reset ends the chat like a hang-up
  }
}
