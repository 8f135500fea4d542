/**
 * The hello protocol of the tutorials, shared by the TCP lesson (03) and the
 * UDP lesson (04): the client sends a name, the server answers
 * `Hello, <name>!`.
 *
 * @module
 */

/** The tutorial's port for both the TCP and the UDP hello servers. */
export const HELLO_PORT = 9999;

/** The names the tutorials' clients send, one at a time. */
export const TUTORIAL_NAMES: readonly string[] = ["Michael", "Tracy", "Sarah"];

/**
 * The reply to one message: `Hello, <text>!`.
 *
 * @example
 * ```ts
 * import { helloReply } from "./hello.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(helloReply("Michael"), "Hello, Michael!");
 * ```
 */
export function helloReply(text: string): string {
  return `Hello, ${text}!`;
}
