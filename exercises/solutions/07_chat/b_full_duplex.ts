/**
 * # Exercise 07b · Full duplex: two loops over one connection (the reference solution)
 *
 * @module
 */

import { linesFrom } from "../../../lessons/07_chat.ts";
import {
  type BothWaysOptions,
  type BothWaysResult,
  QUIT,
} from "../../../lessons/07_chat/2_full_duplex.ts";
import { isPeerGoneError } from "../../../lib/errors.ts";
import { writeAll } from "../../../lib/io.ts";
import { DEFAULT_MAX_LINE, encodeLine } from "../../../lib/lines.ts";

/** Speaks and hears at once over `conn`; resolves when the chat is over for us. */
export async function talkBothWays(
  conn: Deno.Conn,
  options: BothWaysOptions,
): Promise<BothWaysResult> {
  const received: string[] = [];
  const keyboard = options.input.getReader(); // keyboard.read(): the next line typed, or done
  const hearing = hear(conn, received, options); // started, not awaited: it runs on its own
  hearing.catch(() => {});
  const speaking = speak(conn, keyboard, options);
  speaking.catch(() => {});
  try {
    const first = await Promise.race([
      hearing.then(() => "server" as const),
      speaking.then(() => "me" as const),
    ]);
    if (first === "me") {
      await conn.closeWrite().catch(() => {}); // Python: s.shutdown(socket.SHUT_WR)
      await hearing; // everything the other side still says, until it hangs up
    }
    return { received, left: first };
  } finally {
    await keyboard.cancel(); // over, or the other side hung up: stop reading the keyboard
  }
}

/** Keyboard → socket, until `/quit` or the end of input. */
async function speak(
  conn: Deno.Conn,
  keyboard: ReadableStreamDefaultReader<string>,
  options: BothWaysOptions,
): Promise<void> {
  while (true) {
    const { value, done } = await keyboard.read(); // Python: mag = input(...)
    if (done || value === QUIT) return;
    const line = encodeLine(value, { maxLine: options.maxLine ?? DEFAULT_MAX_LINE });
    try {
      await writeAll(conn, line); // Python: s.send(mag.encode('utf-8')), and no recv() after it
    } catch (err) {
      if (isPeerGoneError(err)) return; // the other side is gone: hearing ends too
      throw err;
    }
    if (options.echo) options.log?.(`${options.name} (you): ${value}`);
  }
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
