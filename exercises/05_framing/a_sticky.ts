/**
 * # Exercise 05a · Three sends, one recv(): sticky packets (粘包)
 *
 * Lesson 05, part 1 (`lessons/05_framing.ts`). The blog post «Socket概念…黏包现象»:
 * the client calls send() once per message, and the server's first
 * recv(1024) returns all of them at once. Everything is set up below: a
 * listener, a client connected to it with Nagle's algorithm off (each write
 * leaves at once, as its own segment), and the server's end of the
 * connection. What is left is the experiment itself.
 *
 * Check it:  deno task verify 05a        Stuck?  deno task hint 05a
 *
 * @module
 */

const encoder = new TextEncoder();

/** Sends each message with its own write, then reads until the end: the text of each read. */
export async function sendThenReceive(messages: readonly string[]): Promise<string[]> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  using conn = await listener.accept();
  client.setNoDelay(true);
  const received: string[] = [];
  const buffer = new Uint8Array(1024);
  const decoder = new TextDecoder();
  // TODO(05a): from `client`, write each message with a write() call of its
  // own, then close the client's sending side, so the server's read() can
  // return null. Only then read from `conn` into `buffer` until read() returns
  // null, pushing each read's text onto `received`. When it works, the three
  // messages hello, sticky, packets come back as ONE read:
  // ["hellostickypackets"], and 2100 bytes come back as reads of 1024, 1024, 52.
  return received;
}
