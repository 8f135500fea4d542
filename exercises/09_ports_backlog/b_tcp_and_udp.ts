/**
 * # Exercise 09b · TCP and UDP on one port number
 *
 * Lesson 09, step 2 (`lessons/09_ports_backlog/tcp_and_udp.ts`). 呆贝斯's
 * «Socket网络编程学习笔记» runs a TCP server and a UDP server on 9999 at
 * once, and it works: each protocol has its own table of ports. The TCP
 * half is done below; the UDP half is yours.
 *
 * Check it:  deno task verify 09b        Stuck?  deno task hint 09b
 *
 * @module
 */

import type { SharedPort } from "../../lessons/09_ports_backlog/tcp_and_udp.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Binds TCP and UDP on one port number and shows that both receive. */
export async function shareTcpAndUdpPort(): Promise<SharedPort> {
  // Python: tcp.bind(('127.0.0.1', 0)); tcp.listen()
  using tcp = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = tcp.addr;
  using client = await Deno.connect({ hostname: "127.0.0.1", port });
  using accepted = await tcp.accept();
  await client.write(encoder.encode("over TCP"));
  const buffer = new Uint8Array(64);
  const n = await accepted.read(buffer);
  const tcpReceived = decoder.decode(buffer.subarray(0, n ?? 0));

  // TODO(09b): bind a UDP socket on 127.0.0.1 and the same port number,
  // send it the datagram "over UDP" from a second UDP socket, receive it,
  // and close both sockets. When it works, udpPort is the TCP listener's
  // port and udpReceived is "over UDP": the two ports do not collide.
  return { port, tcpReceived, udpPort: 0, udpReceived: "" };
}
