/**
 * # 04 · TCP and UDP on one port number
 *
 * Liao Xuefeng's tutorial ends its UDP section with it: "服务器绑定UDP端口和
 * TCP端口互不冲突,也就是说,UDP的9999端口与TCP的9999端口可以各自绑定". The
 * kernel keeps one table of ports per protocol: TCP port 9999 and UDP port
 * 9999 are two different ports, and binding one never makes the other
 * busy. (Two TCP sockets, or two UDP sockets, on one address and port do
 * collide, unless both ask to share it: `SO_REUSEPORT`, which lesson 09
 * shows, and for UDP also `SO_REUSEADDR`.)
 *
 * Run it:  deno run --allow-net=127.0.0.1 lessons/04_udp_hello/tcp_and_udp.ts
 *
 * @module
 */

/**
 * A TCP listener and a UDP socket on the same port number of 127.0.0.1
 * (`0`: one the kernel picks for TCP). The caller closes both.
 *
 * @example
 * ```ts
 * import { bindTcpAndUdp } from "./tcp_and_udp.ts";
 * import assert from "node:assert/strict";
 *
 * const { tcp, udp } = bindTcpAndUdp(0);
 * assert.equal((udp.addr as Deno.NetAddr).port, tcp.addr.port);
 * udp.close();
 * tcp.close();
 * ```
 */
export function bindTcpAndUdp(port = 0): { tcp: Deno.TcpListener; udp: Deno.DatagramConn } {
  // Python: t = socket.socket(AF_INET, SOCK_STREAM); t.bind(('127.0.0.1', port)); t.listen()
  const tcp = Deno.listen({ hostname: "127.0.0.1", port });
  // Python: u = socket.socket(AF_INET, SOCK_DGRAM); u.bind(('127.0.0.1', port)): no EADDRINUSE
  const udp = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: tcp.addr.port });
  return { tcp, udp };
}

if (import.meta.main) {
  const { tcp, udp } = bindTcpAndUdp(0);
  console.log(`TCP listening on 127.0.0.1:${tcp.addr.port}`);
  console.log(`UDP bound to    127.0.0.1:${(udp.addr as Deno.NetAddr).port}: no "address in use"`);
  udp.close();
  tcp.close();
}
