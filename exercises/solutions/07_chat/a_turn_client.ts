/**
 * # Exercise 07a · Turn by turn: the tutorial's chat client (the reference solution)
 *
 * @module
 */

import {
  CHAT_PORT,
  type ChatEnding,
  ESC,
  linesFrom,
  type TurnOptions,
} from "../../../lessons/07_chat.ts";
import { writeAll } from "../../../lib/io.ts";
import { DEFAULT_MAX_LINE, encodeLine } from "../../../lib/lines.ts";

/** Connects, then takes turns with the server, speaking first, until someone leaves. */
export async function runTurnClient(options: TurnOptions): Promise<ChatEnding> {
  const { host = "127.0.0.1", port = CHAT_PORT, maxLine = DEFAULT_MAX_LINE } = options;
  using conn = await Deno.connect({ hostname: host, port });
  const lines = linesFrom(conn, maxLine); // lines.next(): the server's next line, or done
  const keyboard = options.input.getReader(); // keyboard.read(): the next line typed, or done
  try {
    while (true) {
      // Python: send_data = input('客户端说:'); s.send(send_data.encode())
      const typed = await keyboard.read();
      const text = typed.done ? ESC : typed.value; // Ctrl+D counts as esc
      await writeAll(conn, encodeLine(text, { maxLine }));
      if (text === ESC) return { left: "me", how: typed.done ? "end of input" : "esc" };
      options.log?.(`client says: ${text}`);
      // Python: d = s.recv(1024).decode(). Only now: it is the server's turn.
      const heard = await lines.next();
      if (heard.done) return { left: "peer", how: "connection closed" };
      if (heard.value === ESC) return { left: "peer", how: "esc" };
      options.log?.(`server says: ${heard.value}`);
    }
  } finally {
    await keyboard.cancel(); // the chat is over: nobody reads the keyboard any more
  }
}
