/**
 * # Exercise 09b · TCP and UDP on one port number (the reference solution)
 *
 * @module
 */

import type { SharedPort } from "../../../lessons/09_ports_backlog/tcp_and_udp.ts";

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

  // Python: udp = socket.socket(AF_INET, SOCK_DGRAM); udp.bind(('127.0.0.1', port))
  const udp = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port });
  const sender = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    // Python: sender.sendto(b'over UDP', ('127.0.0.1', port))
    await sender.send(encoder.encode("over UDP"), {
      transport: "udp",
      hostname: "127.0.0.1",
      port,
    });
    const [datagram] = await udp.receive(); // Python: data, addr = udp.recvfrom(1024)
    const udpPort = (udp.addr as Deno.NetAddr).port;
    return { port, tcpReceived, udpPort, udpReceived: decoder.decode(datagram) };
  } finally {
    udp.close();
    sender.close();
  }
}
