/**
 * # 07 · Step 5: strangers' bytes on your terminal
 *
 * What else the tutorial leaves out of a relay: it prints what strangers
 * typed on other people's terminals and in its own log, and a terminal obeys
 * control characters instead of showing them. ESC [ 2 J (bytes 1b 5b 32 4a)
 * clears the screen; ESC ] 0 ; TEXT BEL sets the window's title. U+009B is
 * CSI in ECMA-48, the one-character form of ESC [: the Linux console obeys
 * the byte 0x9B (console_codes(4)), and some terminals obey U+009B even in
 * UTF-8 (kitty's parser does; xterm does not). BS and CR move the cursor back
 * over what was printed.
 *
 * So the relay (step 3) replaces every control character in a line with
 * U+FFFD before it goes out: the C0 controls but tab, DEL, and the C1
 * controls U+0080–U+009F. A name goes in front of every line, so it must be
 * a short label of letters and digits, which needs no filtering at all.
 *
 * @module
 */

/** The longest name: names are short labels in front of every message. */
export const MAX_NAME_LENGTH = 32;

/**
 * `text` with every control character replaced by `�`: C0 controls except
 * tab, DEL, and the C1 controls U+0080–U+009F.
 *
 * @example
 * ```ts
 * import { withoutControls } from "./5_control_characters.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(withoutControls("hi\x1b[2J\0 there\tyou"), "hi�[2J� there\tyou");
 * assert.equal(withoutControls("a\x7fb\u009b2Jc\u00a0d"), "a�b�2Jc\u00a0d");
 * ```
 */
export function withoutControls(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f-\x9f]/g, "\ufffd");
}

/**
 * Why a name is refused, or `undefined` if it is fine: 1 to 32 letters,
 * digits, `_`, `-` or `.`, and not `server` (the server's own name).
 *
 * @example
 * ```ts
 * import { nameProblem } from "./5_control_characters.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(nameProblem("张三"), undefined);
 * assert.equal(nameProblem("a b"), 'invalid name "a b": use 1 to 32 letters, digits, _ - or .');
 * assert.equal(nameProblem("\x1b[2J"), 'invalid name "�[2J": use 1 to 32 letters, digits, _ - or .');
 * ```
 */
export function nameProblem(name: string): string | undefined {
  if (!/^[\p{L}\p{N}_.-]{1,32}$/u.test(name)) {
    const shown = withoutControls(name.length > 40 ? `${name.slice(0, 40)}...` : name);
    return `invalid name "${shown}": use 1 to ${MAX_NAME_LENGTH} letters, digits, _ - or .`;
  }
  if (name === "server") return `the name "server" is reserved`;
  return undefined;
}
