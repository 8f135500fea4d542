/**
 * # Exercise 03b · The read loop and the end of the stream
 *
 * Lesson 03, part 1. After the greeting, the tutorial's `tcplink` reads at
 * most 1024 bytes at a time and answers each read with `Hello, <text>!`,
 * until the client sends exactly `exit` or closes its side.
 *
 * Check it:  deno task verify 03b        Stuck?  deno task hint 03b
 *
 * @module
 */

import { READ_SIZE, WELCOME } from "../../lessons/03_tcp_hello.ts";
import { writeAll } from "../../lib/io.ts";

const encoder = new TextEncoder();

/** Serves one client until `exit` or end of stream. */
export async function handleHelloConnection(conn: Deno.Conn): Promise<void> {
  await conn.write(encoder.encode(WELCOME));
  const buffer = new Uint8Array(READ_SIZE);
  const decoder = new TextDecoder();
  // TODO(03b): read into `buffer` again and again; answer each read's text
  // with `Hello, <text>!` (use writeAll); return when read() says the client
  // closed its side, or when the text is exactly "exit". When it works,
  // `Michael` gets `Hello, Michael!`, `exiting` gets `Hello, exiting!`, and a
  // client that closes its side reads end of stream back.
}
