/**
 * # Exercise 03b · The read loop and the end of the stream (the reference solution)
 *
 * @module
 */

import { READ_SIZE, WELCOME } from "../../../lessons/03_tcp_hello.ts";
import { writeAll } from "../../../lib/io.ts";

const encoder = new TextEncoder();

/** Serves one client until `exit` or end of stream. */
export async function handleHelloConnection(conn: Deno.Conn): Promise<void> {
  await conn.write(encoder.encode(WELCOME));
  const buffer = new Uint8Array(READ_SIZE);
  const decoder = new TextDecoder();
  while (true) {
    const n = await conn.read(buffer); // Python: data = sock.recv(1024)
    if (n === null) return; // the client closed its side: Python's b''
    // Only the n bytes this read filled; a character cut at the end waits.
    const text = decoder.decode(buffer.subarray(0, n), { stream: true });
    if (text === "exit") return;
    await writeAll(conn, encoder.encode(`Hello, ${text}!`));
  }
}
