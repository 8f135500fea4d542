/**
 * # Exercise 07d · Strangers' bytes on your terminal
 *
 * Lesson 07, step 5 (`lessons/07_chat/5_control_characters.ts`). The relay
 * prints what strangers typed on everyone's terminal, and a terminal obeys
 * control characters instead of showing them: ESC [ 2 J clears the screen,
 * BS and CR move the cursor back over what was printed, and U+009B is CSI,
 * the one-character form of ESC [, which some terminals obey too. So the
 * relay passes every line through this function before it goes out.
 *
 * Check it:  deno task verify 07d        Stuck?  deno task hint 07d
 *
 * @module
 */

/** `text` with every control character replaced by `�` (U+FFFD). */
export function withoutControls(text: string): string {
  // TODO(07d): replace each control character with "\ufffd": the C0
  // controls U+0000–U+001F except tab, DEL (U+007F), and the C1 controls
  // U+0080–U+009F. Everything else stays, `张三` and U+00A0 included. When
  // it works, bob sees `rude: a�b�2J` where rude sent "a\x7fb\u009b2J", and
  // the server's log holds no control character either.
  return text;
}
