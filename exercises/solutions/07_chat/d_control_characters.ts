/**
 * # Exercise 07d · Strangers' bytes on your terminal (the reference solution)
 *
 * @module
 */

/** `text` with every control character replaced by `�` (U+FFFD). */
export function withoutControls(text: string): string {
  // Python: re.sub(r'[\x00-\x08\x0a-\x1f\x7f-\x9f]', '\ufffd', text)
  // deno-lint-ignore no-control-regex
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f-\x9f]/g, "\ufffd");
}
