/**
 * # Exercise 03c · The client's lock-step conversation (the reference solution)
 *
 * @module
 */

import { READ_SIZE } from "../../../lessons/03_tcp_hello.ts";
import { writeAll } from "../../../lib/io.ts";

const encoder = new TextEncoder();

/** The conversation over an open connection; resolves to everything received. */
export async function talkHello(conn: Deno.Conn, names: readonly string[]): Promise<string[]> {
  const buffer = new Uint8Array(READ_SIZE);
  const decoder = new TextDecoder();
  const replies: string[] = [];
  async function receive(): Promise<string> {
    const n = await conn.read(buffer); // Python: s.recv(1024)
    if (n === null) throw new Error("the server closed the connection");
    return decoder.decode(buffer.subarray(0, n));
  }
  replies.push(await receive());
  for (const name of names) {
    await writeAll(conn, encoder.encode(name)); // Python: s.send(data)
    replies.push(await receive());
  }
  await writeAll(conn, encoder.encode("exit"));
  return replies;
}
