/**
 * # Exercise 03c · The client's lock-step conversation
 *
 * Lesson 03, part 2. The tutorial's client reads the greeting, then sends
 * each name and waits for its reply before sending the next, then sends
 * `exit`. Waiting is what makes this protocol work: it has no framing.
 *
 * Check it:  deno task verify 03c        Stuck?  deno task hint 03c
 *
 * @module
 */

import { READ_SIZE } from "../../lessons/03_tcp_hello.ts";
import { writeAll } from "../../lib/io.ts";

const encoder = new TextEncoder();

/**
 * The conversation over an open connection. Resolves to everything
 * received, greeting first: `["Welcome!", "Hello, Michael!", ...]`.
 */
export async function talkHello(conn: Deno.Conn, names: readonly string[]): Promise<string[]> {
  const buffer = new Uint8Array(READ_SIZE);
  const decoder = new TextDecoder();
  const replies: string[] = [];
  // TODO(03c): read the greeting; then for each name, send it and read its
  // reply (one read of at most READ_SIZE bytes each); then send "exit".
  // When it works, the lesson's server answers ["Welcome!", "Hello, Michael!",
  // "Hello, Tracy!", "Hello, Sarah!"] and logs that the connection closed.
  return replies;
}
