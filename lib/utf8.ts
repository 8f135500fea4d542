/**
 * Strict UTF-8 decoding for whole messages.
 *
 * `new TextDecoder().decode(bytes)` never fails: it replaces bad bytes with
 * U+FFFD. A server that must refuse garbage (Python's
 * `data.decode('utf-8')` raises `UnicodeDecodeError`) needs the `fatal`
 * decoder, and a typed error it can log as one line.
 *
 * @module
 */

import { ProtocolError } from "./errors.ts";

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decodes a whole message as UTF-8, or throws {@linkcode ProtocolError}.
 *
 * Only decode whole messages: a multi-byte character may be split between
 * two reads, so decoding each read on its own would fail on good input.
 *
 * @example
 * ```ts
 * import { decodeUtf8 } from "./utf8.ts";
 * import { ProtocolError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(decodeUtf8(new Uint8Array([0x68, 0xc3, 0xa9])), "hé");
 * assert.throws(() => decodeUtf8(new Uint8Array([0x68, 0xc3])), ProtocolError); // half an é
 * ```
 */
export function decodeUtf8(bytes: Uint8Array, what = "a message"): string {
  try {
    return strict.decode(bytes);
  } catch (err) {
    throw new ProtocolError(`${what} is not valid UTF-8`, "send text encoded as UTF-8", {
      cause: err,
    });
  }
}
