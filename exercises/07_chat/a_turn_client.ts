/**
 * # Exercise 07a · Turn by turn: the tutorial's chat client
 *
 * Lesson 07, parts 2 and 3 (`lessons/07_chat.ts`). The client of example 3
 * in «25.Python 网络编程：TCP和UDP编程» (`client3.py`) loops over `input()`
 * then `recv()`: it speaks first, then waits for the server's answer, then
 * speaks again. The lesson's one fix: a message is a line, sent as
 * `text + "\n"` and read back whole with `linesFrom()`. Either side ends the
 * chat by sending the line `esc`; Ctrl+D at the keyboard counts as `esc`.
 *
 * Check it:  deno task verify 07a        Stuck?  deno task hint 07a
 *
 * @module
 */

import {
  CHAT_PORT,
  type ChatEnding,
  ESC,
  linesFrom,
  type TurnOptions,
} from "../../lessons/07_chat.ts";
import { writeAll } from "../../lib/io.ts";
import { DEFAULT_MAX_LINE, encodeLine } from "../../lib/lines.ts";

/** Connects, then takes turns with the server, speaking first, until someone leaves. */
export async function runTurnClient(options: TurnOptions): Promise<ChatEnding> {
  const { host = "127.0.0.1", port = CHAT_PORT, maxLine = DEFAULT_MAX_LINE } = options;
  using conn = await Deno.connect({ hostname: host, port });
  const lines = linesFrom(conn, maxLine); // lines.next(): the server's next line, or done
  const keyboard = options.input.getReader(); // keyboard.read(): the next line typed, or done
  try {
    // TODO(07a): take turns, speaking first. Your turn: one line from the
    // keyboard (done is Ctrl+D: send ESC instead), sent as a line; if it was
    // ESC, you left. The server's turn: one line from `lines`; ESC or the end
    // of the stream means it left. Then your turn again. When it works, the
    // server reads `hi`, your second line waits until it has answered, and
    // after `esc` the chat ends as { left: "me", how: "esc" }.
    return { left: "me", how: "end of input" };
  } finally {
    await keyboard.cancel(); // the chat is over: nobody reads the keyboard any more
  }
}
