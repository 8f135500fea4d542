/**
 * Lesson 09's exercises: ports, addresses and the backlog.
 *
 * @module
 */

import type { Exercise } from "../catalog.ts";

const TESTS = ["tests/09_ports_backlog.test.ts"];

/** Lesson 09's exercises, in order. */
export const EXERCISES_09: readonly Exercise[] = [
  {
    id: "09a",
    file: "09_ports_backlog/a_reuse_port.ts",
    goal: {
      en: "hold a port, or share it with reusePort",
      zh: "占住一个端口，或者用 reusePort 和别人共用它",
    },
    tests: TESTS,
    hints: [
      {
        en: "Python: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1) before " +
          "s.bind((host, port)). In Deno it is an option of Deno.listen: look up " +
          "Deno.TcpListenOptions.reusePort (https://docs.deno.com/api/deno/~/Deno.TcpListenOptions), " +
          "Linux only.",
        zh:
          "Python：在 s.bind((host, port)) 之前 s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)。" +
          "Deno 里它是 Deno.listen 的一个选项：查一下 Deno.TcpListenOptions.reusePort" +
          "（https://docs.deno.com/api/deno/~/Deno.TcpListenOptions），只在 Linux 上有。",
      },
      {
        en: "serve() from lib/serve.ts runs a handler for each connection and closes the " +
          "connection when the handler returns: a handler that returns at once " +
          "(() => Promise.resolve()) hangs up on every client.",
        zh: "lib/serve.ts 里的 serve() 为每个连接运行一个处理函数，处理函数返回时关闭连接：" +
          "一个立刻返回的处理函数（() => Promise.resolve()）会挂断每个客户端。",
      },
      {
        en: "const listener = Deno.listen({ hostname: options.host, port: options.port, " +
          "reusePort: options.reusePort }); return serve(listener, () => Promise.resolve());",
        zh: "const listener = Deno.listen({ hostname: options.host, port: options.port, " +
          "reusePort: options.reusePort }); return serve(listener, () => Promise.resolve());",
      },
    ],
    checks: [
      {
        test: "holds its port",
        zh: "占住端口：再在这个端口上监听会得到 AddrInUse，连上来的客户端被立刻挂断",
        hint: 2,
      },
      {
        test: "with reusePort, twice on one port",
        zh: "两个都带 reusePort 的监听器可以共用一个端口，不带的第三个得到 AddrInUse",
        hint: 1,
      },
    ],
  },
  {
    id: "09b",
    file: "09_ports_backlog/b_tcp_and_udp.ts",
    goal: {
      en: "a UDP socket on the TCP listener's port number: both receive",
      zh: "在 TCP 监听器的端口号上再绑一个 UDP 套接字：两边都能收到",
    },
    tests: TESTS,
    hints: [
      {
        en: "Python: udp = socket.socket(AF_INET, SOCK_DGRAM); udp.bind(('127.0.0.1', port)); " +
          "data, addr = udp.recvfrom(1024). In Deno: Deno.listenDatagram " +
          "(https://docs.deno.com/api/deno/~/Deno.listenDatagram), then send(bytes, addr) and " +
          "receive() on the socket it returns.",
        zh: "Python：udp = socket.socket(AF_INET, SOCK_DGRAM); udp.bind(('127.0.0.1', port)); " +
          "data, addr = udp.recvfrom(1024)。Deno 里用 Deno.listenDatagram" +
          "（https://docs.deno.com/api/deno/~/Deno.listenDatagram），再在它返回的套接字上调用 " +
          "send(bytes, addr) 和 receive()。",
      },
      {
        en:
          "Bind the UDP socket to `port`, the TCP listener's number, not 0; a second UDP socket " +
          "on port 0 does the sending. receive() resolves to [bytes, from]. udp.addr is a " +
          "Deno.Addr: read its port as (udp.addr as Deno.NetAddr).port.",
        zh: "UDP 套接字要绑定 `port`，也就是 TCP 监听器的端口号，而不是 0；另开一个绑定 0 端口的 " +
          "UDP 套接字负责发送。receive() 得到 [bytes, from]。udp.addr 的类型是 Deno.Addr：" +
          "端口要这样读：(udp.addr as Deno.NetAddr).port。",
      },
      {
        en: "A datagram socket has no `using` in Deno 2.9: close both sockets in a finally.",
        zh: "Deno 2.9 里数据报套接字不能用 `using`：在 finally 里把两个套接字都关掉。",
      },
      {
        en: 'const udp = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port }); ' +
          'const sender = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 }); ' +
          'try { await sender.send(encoder.encode("over UDP"), { transport: "udp", hostname: ' +
          '"127.0.0.1", port }); const [datagram] = await udp.receive(); return { port, tcpReceived, ' +
          "udpPort: (udp.addr as Deno.NetAddr).port, udpReceived: decoder.decode(datagram) }; } " +
          "finally { udp.close(); sender.close(); }",
        zh: 'const udp = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port }); ' +
          'const sender = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 }); ' +
          'try { await sender.send(encoder.encode("over UDP"), { transport: "udp", hostname: ' +
          '"127.0.0.1", port }); const [datagram] = await udp.receive(); return { port, tcpReceived, ' +
          "udpPort: (udp.addr as Deno.NetAddr).port, udpReceived: decoder.decode(datagram) }; } " +
          "finally { udp.close(); sender.close(); }",
      },
    ],
    checks: [
      {
        test: "hold one port number, and both receive",
        zh: "TCP 和 UDP 套接字占着同一个端口号，两边都收到各自的数据",
        hint: 2,
      },
    ],
  },
  {
    id: "09c",
    file: "09_ports_backlog/c_backlog.ts",
    goal: {
      en: "listen(5): pass the backlog, and see backlog + 1 clients queue up",
      zh: "listen(5)：把 backlog 传下去，看 backlog + 1 个客户端排进队列",
    },
    tests: TESTS,
    hints: [
      {
        en: "Python's s.listen(5) is the tcpBacklog option of Deno.listen " +
          "(https://docs.deno.com/api/deno/~/Deno.TcpListenOptions): Deno binds and listens in " +
          "one call.",
        zh: "Python 的 s.listen(5) 对应 Deno.listen 的 tcpBacklog 选项" +
          "（https://docs.deno.com/api/deno/~/Deno.TcpListenOptions）：Deno 一次调用里完成 bind 和 listen。",
      },
      {
        en: "Bind the tutorial's 127.0.0.1 on `port` and pass `backlog` as tcpBacklog. Left out, " +
          "Deno asks for 511: every client of the check then gets in, and the queue is never full.",
        zh:
          "绑定教程用的 127.0.0.1 和 `port`，把 `backlog` 作为 tcpBacklog 传进去。不传的话 Deno " +
          "用 511：检查里的每个客户端都能连上，队列永远不会满。",
      },
      {
        en: 'return Deno.listen({ hostname: "127.0.0.1", port, tcpBacklog: backlog });',
        zh: 'return Deno.listen({ hostname: "127.0.0.1", port, tcpBacklog: backlog });',
      },
    ],
    checks: [
      {
        test: "the next one's SYN is dropped",
        zh: "没人 accept() 时只有 backlog + 1 个客户端完成握手，下一个超时（不是被拒绝）",
        hint: 2,
      },
      {
        test: "waiting in the accept queue can already send",
        zh: "排在 accept 队列里的客户端已经可以发数据，accept() 之后就能读到",
        hint: 1,
      },
    ],
  },
  {
    id: "09d",
    file: "09_ports_backlog/d_dual_stack.ts",
    goal: {
      en: "knock on a listener through other addresses: who gets in, seen as what",
      zh: "从不同的地址去连一个监听器：谁能连上，服务器看到的是什么地址",
    },
    tests: TESTS,
    hints: [
      {
        en: "Python: socket.create_connection((via, port), timeout=2), then conn, addr = " +
          "s.accept(). In Deno: Deno.connect (https://docs.deno.com/api/deno/~/Deno.connect) with " +
          "hostname, port and signal: AbortSignal.timeout(2_000), then listener.accept().",
        zh: "Python：socket.create_connection((via, port), timeout=2)，然后服务器 conn, addr = " +
          "s.accept()。Deno 里：Deno.connect（https://docs.deno.com/api/deno/~/Deno.connect），" +
          "传 hostname、port 和 signal: AbortSignal.timeout(2_000)，再调用 listener.accept()。",
      },
      {
        en: "What the server saw is accepted.remoteAddr; describeAddr() writes it as " +
          "127.0.0.1:51234 or [::ffff:127.0.0.1]:51234: cut the :port off the end. A connection " +
          "through an address the listener does not cover fails with " +
          "Deno.errors.ConnectionRefused: that outcome is `refused`.",
        zh: "服务器看到的地址是 accepted.remoteAddr；describeAddr() 把它写成 127.0.0.1:51234 或 " +
          "[::ffff:127.0.0.1]:51234：去掉末尾的 :端口。连一个监听器没有覆盖的地址会抛出 " +
          "Deno.errors.ConnectionRefused：这时结果是 `refused`。",
      },
      {
        en: "Close both ends of every knock (`using`), and let errors other than " +
          "ConnectionRefused rise.",
        zh: "每次敲门的两端都要关闭（用 `using`），ConnectionRefused 以外的错误照常抛出。",
      },
      {
        en: "try { using _conn = await Deno.connect({ hostname: via, port: listener.addr.port, " +
          "signal: AbortSignal.timeout(2_000) }); using accepted = await listener.accept(); " +
          'probes.push({ via, outcome: `accepted from ${describeAddr(accepted.remoteAddr).replace(/:\\d+$/, "")}` }); ' +
          "} catch (err) { if (!(err instanceof Deno.errors.ConnectionRefused)) throw err; " +
          'probes.push({ via, outcome: "refused" }); }',
        zh: "try { using _conn = await Deno.connect({ hostname: via, port: listener.addr.port, " +
          "signal: AbortSignal.timeout(2_000) }); using accepted = await listener.accept(); " +
          'probes.push({ via, outcome: `accepted from ${describeAddr(accepted.remoteAddr).replace(/:\\d+$/, "")}` }); ' +
          "} catch (err) { if (!(err instanceof Deno.errors.ConnectionRefused)) throw err; " +
          'probes.push({ via, outcome: "refused" }); }',
      },
    ],
    checks: [
      {
        test: "reached through 127.0.0.1",
        zh: "绑定 127.0.0.1 的服务器能通过 127.0.0.1 连上，结果是 accepted from 127.0.0.1",
        hint: 1,
      },
      {
        test: "only the wildcard is reached",
        zh: "127.0.0.1 只是一个地址，0.0.0.0 是全部：只有通配地址能通过 127.0.0.2 连上",
        hint: 2,
      },
      {
        test: "seen as ::ffff:127.0.0.1",
        zh: "绑定 :: 的监听器也接受 IPv4 客户端，看到的地址是 [::ffff:127.0.0.1]",
        hint: 2,
      },
      {
        test: "does not reach a server bound to ::1",
        zh: "IPv4 客户端连不上只绑定 ::1 的服务器：结果是 refused",
        hint: 2,
      },
    ],
  },
];
