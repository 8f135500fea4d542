/**
 * # Exercise 05a · Three sends, one recv(): sticky packets (粘包) (the reference solution)
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
  for (const message of messages) {
    await client.write(encoder.encode(message)); // Python: client.send(message.encode())
  }
  await client.closeWrite(); // Python: client.shutdown(socket.SHUT_WR)
  while (true) {
    const n = await conn.read(buffer); // Python: data = conn.recv(1024)
    if (n === null) break; // Python: if not data: break
    received.push(decoder.decode(buffer.subarray(0, n), { stream: true }));
  }
  return received;
}
