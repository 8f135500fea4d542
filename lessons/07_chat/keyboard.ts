/**
 * The keyboard as a stream of lines: Python's `input()`, one call per line,
 * turned into a `ReadableStream<string>`. A chat reads it like it reads the
 * socket, so a test or a demo can hand it typed lines from memory instead of
 * a terminal.
 *
 * - {@linkcode keyboardLines}: what the person types on stdin; Ctrl+D ends it.
 * - {@linkcode scriptedKeyboard}: lines a test "types" whenever it wants.
 *
 * @module
 */

import { UnexpectedEofError } from "../../lib/errors.ts";
import { LineDecoderStream } from "../../lib/lines.ts";

/**
 * The lines typed on stdin, without their line ends (`\n` or `\r\n`).
 * Ctrl+D (end of input) ends the stream; so does Ctrl+D after a half-typed
 * line, which is dropped. Nothing is read from stdin until the first line is
 * asked for, so a program that fails before (no server to connect to) leaves
 * stdin alone.
 */
export function keyboardLines(): ReadableStream<string> {
  let reader: ReadableStreamDefaultReader<string> | undefined;
  return new ReadableStream<string>({
    async pull(controller) {
      reader ??= Deno.stdin.readable.pipeThrough(new LineDecoderStream({ stripCr: true }))
        .getReader();
      try {
        const { value, done } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        // Ctrl+D in the middle of a line: the same as Ctrl+D on an empty one.
        if (!(err instanceof UnexpectedEofError)) throw err;
        controller.close();
      }
    },
    cancel(reason) {
      return reader?.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** A keyboard driven by code: {@linkcode scriptedKeyboard}. */
export interface ScriptedKeyboard {
  /** The typed lines, for the code that reads the keyboard. */
  readonly lines: ReadableStream<string>;
  /** Types one line (as if followed by Enter). */
  type(line: string): void;
  /** Ctrl+D: the end of input. */
  end(): void;
}

/**
 * A keyboard for tests and demos: lines typed by calling `type()`, end of
 * input by `end()`. Lines typed before anyone reads wait in order.
 *
 * @example
 * ```ts
 * import { scriptedKeyboard } from "./keyboard.ts";
 * import assert from "node:assert/strict";
 *
 * const keyboard = scriptedKeyboard();
 * keyboard.type("hi");
 * keyboard.type("/quit");
 * keyboard.end();
 * assert.deepEqual(await Array.fromAsync(keyboard.lines), ["hi", "/quit"]);
 * ```
 */
export function scriptedKeyboard(typed: readonly string[] = []): ScriptedKeyboard {
  let controller!: ReadableStreamDefaultController<string>;
  let ended = false;
  const lines = new ReadableStream<string>({
    start(c) {
      controller = c;
    },
    cancel() {
      ended = true; // the reader stopped listening: later typing goes nowhere
    },
  });
  const keyboard: ScriptedKeyboard = {
    lines,
    type(line) {
      if (!ended) controller.enqueue(line);
    },
    end() {
      if (!ended) controller.close();
      ended = true;
    },
  };
  for (const line of typed) keyboard.type(line);
  return keyboard;
}
