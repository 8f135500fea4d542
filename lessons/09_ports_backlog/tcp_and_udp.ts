/**
 * # 09 · Step 2: TCP and UDP on one port number
 *
 * 呆贝斯's «Socket网络编程学习笔记» runs a TCP server and a UDP server on
 * 9999 at the same time, and it works: each protocol has its own table of
 * ports. A TCP segment for port 9999 goes to a TCP socket, a UDP datagram
 * for port 9999 to a UDP socket; the number is the same, the ports are not.
 *
 * Run alone: deno run --allow-net=127.0.0.1 lessons/09_ports_backlog/tcp_and_udp.ts
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What each socket received on the shared port number. */
export interface SharedPort {
  /** The port number the TCP listener holds. */
  port: number;
  /** The port number the UDP socket holds: the same. */
  udpPort: number;
  /** What arrived over a TCP connection to that port. */
  tcpReceived: string;
  /** What arrived as a UDP datagram to that port. */
  udpReceived: string;
}

/** Binds TCP and UDP on one port number and shows that both receive. */
export async function shareTcpAndUdpPort(): Promise<SharedPort> {
  // Python: tcp = socket.socket(AF_INET, SOCK_STREAM); tcp.bind(('127.0.0.1', 0)); tcp.listen()
  using tcp = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = tcp.addr;
  // Python: udp = socket.socket(AF_INET, SOCK_DGRAM); udp.bind(('127.0.0.1', port))
  const udp = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port });
  const sender = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    using client = await Deno.connect({ hostname: "127.0.0.1", port });
    using accepted = await tcp.accept();
    await client.write(encoder.encode("over TCP"));
    // Python: sender.sendto(b'over UDP', ('127.0.0.1', port))
    await sender.send(encoder.encode("over UDP"), {
      transport: "udp",
      hostname: "127.0.0.1",
      port,
    });

    // Python: data, addr = udp.recvfrom(1024)
    const [datagram] = await udp.receive();
    const buffer = new Uint8Array(64);
    const n = await accepted.read(buffer);
    return {
      port,
      udpPort: (udp.addr as Deno.NetAddr).port,
      tcpReceived: decoder.decode(buffer.subarray(0, n ?? 0)),
      udpReceived: decoder.decode(datagram),
    };
  } finally {
    udp.close(); // a datagram socket has no `using` in Deno 2.9
    sender.close();
  }
}

if (import.meta.main) console.log(await shareTcpAndUdpPort());
