/**
 * # 07 · Step 2: full duplex, two loops over one connection
 *
 * The turns of step 1 are not TCP's. A TCP connection is full duplex: each
 * side has a send buffer and a receive buffer of its own, and bytes flow both
 * ways at the same time. The tutorial's chat takes turns only because one
 * thread can wait for one thing at a time, `input()` or `recv()`. Python
 * would start a second thread for the socket; Deno starts a second loop. Each
 * `await` hands the thread back to the event loop, which wakes whichever loop
 * has something to do:
 *
 *     speak:  keyboard → socket   until /quit or Ctrl+D, then "no more from me" (a FIN)
 *     hear:   socket → screen     until the other side hangs up
 *
 * Leaving is two steps, as in a phone call: we shut down our sending side
 * (Python's `s.shutdown(socket.SHUT_WR)`), which the other side reads as end
 * of stream, and keep hearing until it hangs up too. Nothing we were sent is
 * lost on the way out. Step 3 runs these loops against a relay server.
 *
 * @module
 */

import { isPeerGoneError, LessonError } from "../../lib/errors.ts";
import { writeAll } from "../../lib/io.ts";
import { DEFAULT_MAX_LINE, encodeLine } from "../../lib/lines.ts";
import { type Log, silent } from "../../lib/log.ts";
import { linesFrom } from "../07_chat.ts";

/** What a full-duplex client types to leave (Ctrl+D does the same). */
export const QUIT = "/quit";

/** Options for {@linkcode talkBothWays}. */
export interface BothWaysOptions {
  /** The keyboard: one string per line typed; `/quit` or its end leaves. */
  input: ReadableStream<string>;
  /** Our name, for the echo of our own lines. */
  name: string;
  /** The longest line we may send. Default 64 KiB. */
  maxLine?: number;
  /** The longest line we accept. Default 64 KiB. */
  maxLineIn?: number;
  /** Also log our own lines as `NAME (you): TEXT` (a terminal shows them as typed). */
  echo?: boolean;
  /** Where received lines are written. */
  log?: Log;
  /** Called with each line received, as it arrives. */
  onLine?: (line: string) => void;
}

/** What one side of a full-duplex chat saw. */
export interface BothWaysResult {
  /** Every line received, in order. */
  received: string[];
  /** Who ended it: we did (`/quit`, Ctrl+D) or the other side hung up. */
  left: "me" | "server";
}

/**
 * Runs the two loops over `conn` at once. Resolves when the chat is over for
 * us: after we left and the other side hung up, or after it hung up first
 * (then the keyboard is no longer read).
 */
export async function talkBothWays(
  conn: Deno.Conn,
  options: BothWaysOptions,
): Promise<BothWaysResult> {
  const received: string[] = [];
  const keyboard = options.input.getReader();
  // Python: threading.Thread(target=hear, args=(s,)).start(); speak(s)
  // Here: start both loops, await neither yet.
  const hearing = hear(conn, received, options);
  const speaking = speak(conn, keyboard, options);
  try {
    const first = await Promise.race([
      hearing.then(() => "server" as const),
      speaking.then(() => "me" as const),
    ]);
    if (first === "me") {
      // Python: s.shutdown(socket.SHUT_WR). A FIN: "no more from me". We
      // keep hearing until the other side has said goodbye and hung up.
      await conn.closeWrite().catch(() => {}); // (already gone: hearing ends too)
      await hearing;
    } else {
      // The other side hung up: stop reading the keyboard too.
      await keyboard.cancel();
      await speaking;
    }
    return { received, left: first };
  } finally {
    // Whatever happened, neither loop outlives the connection.
    hearing.catch(() => {});
    speaking.catch(() => {});
    await keyboard.cancel().catch(() => {});
  }
}

/** Socket → screen, until the other side hangs up. */
async function hear(conn: Deno.Conn, received: string[], options: BothWaysOptions): Promise<void> {
  const log = options.log ?? silent;
  try {
    // Python (in its own thread): while True: data = s.recv(1024) ...
    for await (const line of linesFrom(conn, options.maxLineIn ?? DEFAULT_MAX_LINE)) {
      received.push(line);
      log(line);
      options.onLine?.(line);
    }
  } catch (err) {
    if (!isPeerGoneError(err)) throw err;
    return log("* the connection was lost");
  }
  // A relay says who left before it hangs up; a silent hang-up is worth a line.
  if (!/^\* \S+ left/.test(received.at(-1) ?? "")) log("* the server hung up");
}

/** Keyboard → socket, until `/quit` or the end of input. */
async function speak(
  conn: Deno.Conn,
  keyboard: ReadableStreamDefaultReader<string>,
  options: BothWaysOptions,
): Promise<void> {
  const echo = options.echo ? options.log ?? silent : silent;
  while (true) {
    // Python: mag = input('请输入发送的消息:').strip()
    const { value, done } = await keyboard.read();
    if (done || value === QUIT) return;
    // The blog post's client: if len(mag) == 0: print('请输入有效信息'); continue
    if (value.trim() === "") continue;
    let line: Uint8Array;
    try {
      line = encodeLine(value, { maxLine: options.maxLine ?? DEFAULT_MAX_LINE });
    } catch (err) {
      if (!(err instanceof LessonError)) throw err;
      echo(`* not sent: ${err.message}`);
      continue;
    }
    try {
      // Python: s.send(mag.encode('utf-8')), and no recv() after it: hearing
      // is the other loop's job, so we never wait for an answer.
      await writeAll(conn, line);
    } catch (err) {
      if (isPeerGoneError(err)) return; // the other side is gone: hearing says so
      throw err;
    }
    echo(`${options.name} (you): ${value}`);
  }
}
