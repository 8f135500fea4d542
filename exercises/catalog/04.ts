/**
 * Lesson 04's exercises: the UDP hello server, its client, and the loop no
 * datagram can stop.
 *
 * @module
 */

import type { Exercise } from "../catalog.ts";

const TESTS = ["tests/04_udp_hello.test.ts"];

/** Lesson 04's exercises, in order. */
export const EXERCISES_04: readonly Exercise[] = [
  {
    id: "04a",
    file: "04_udp_hello/a_tutorial_loop.ts",
    goal: {
      en: "the tutorial's server loop: answer each datagram to the address it came from",
      zh: "教程的服务器循环：把每个数据报的回复发回它的来源地址",
    },
    tests: TESTS,
    hints: [
      {
        en: "Python's `data, addr = s.recvfrom(1024)` is one turn of " +
          "`for await (const [data, addr] of socket)` in Deno (Deno.DatagramConn, " +
          "https://docs.deno.com/api/deno/~/Deno.DatagramConn): each turn is one whole " +
          "datagram and its sender's address, and the loop ends when the socket is closed.",
        zh: "Python 的 `data, addr = s.recvfrom(1024)` 在 Deno 里是 " +
          "`for await (const [data, addr] of socket)` 的一轮（Deno.DatagramConn，" +
          "https://docs.deno.com/api/deno/~/Deno.DatagramConn）：每一轮拿到一个完整的数据报和发送方地址，" +
          "socket 关闭时循环自然结束。",
      },
      {
        en: "Python's `s.sendto(reply, addr)` is `await socket.send(bytes, addr)`: send to the " +
          "`addr` that came with this datagram, not to a fixed address. The encoder in the file " +
          "turns text into bytes, the decoder bytes into text.",
        zh: "Python 的 `s.sendto(reply, addr)` 对应 `await socket.send(bytes, addr)`：" +
          "发到随这个数据报一起收到的 `addr`，不要发到固定地址。文件里的 encoder 把文本变成字节，decoder 反过来。",
      },
      {
        en: "Do not receive into a small buffer: `socket.receive(new Uint8Array(1024))` keeps " +
          "1,024 bytes, like recvfrom(1024), and drops the rest without a word. The for-await " +
          "loop (or receive() with no buffer) gets a datagram whole.",
        zh: "不要用小缓冲区接收：`socket.receive(new Uint8Array(1024))` 只留下 1,024 字节，" +
          "和 recvfrom(1024) 一样，其余部分悄悄丢掉。用 for await 循环（或不带缓冲区的 receive()）才能收到完整的数据报。",
      },
      {
        en: "for await (const [data, addr] of socket) { " +
          "await socket.send(encoder.encode(helloReply(decoder.decode(data))), addr); }",
        zh: "for await (const [data, addr] of socket) { " +
          "await socket.send(encoder.encode(helloReply(decoder.decode(data))), addr); }",
      },
    ],
    checks: [
      {
        test: "sent back to the address it came from",
        zh: "两个客户端各自收到自己的 Hello, <名字>!：回复要发回数据报的来源地址",
        hint: 2,
      },
      {
        test: "three replies, in order",
        zh: "同一个客户端发三次，要收到三个回复：循环要继续",
        hint: 1,
      },
      {
        test: "2,000-byte datagram whole",
        zh: "2,000 字节的数据报要完整收下，不能截成 1,024",
        hint: 3,
      },
      { test: "returns once its socket is closed", zh: "socket 关闭后函数要返回", hint: 1 },
    ],
  },
  {
    id: "04b",
    file: "04_udp_hello/b_timeout_retry.ts",
    goal: {
      en: "the client: wait at most timeoutMs for each reply, send again, give up after tries",
      zh: "客户端：每个回复最多等 timeoutMs，没等到就重发，发满 tries 次后放弃",
    },
    tests: TESTS,
    hints: [
      {
        en: "Python: `s.settimeout(1.0)`, and then `s.recv(1024)` raises socket.timeout. " +
          "Deno's receive() (https://docs.deno.com/api/deno/~/Deno.DatagramConn.receive) " +
          "has no timeout: race it against a timer. raceTimeout(promise, ms) in lib/udp.ts " +
          "does that, and gives undefined when the time is up.",
        zh: "Python 里是 `s.settimeout(1.0)`，之后 `s.recv(1024)` 超时会抛出 socket.timeout。" +
          "Deno 的 receive()（https://docs.deno.com/api/deno/~/Deno.DatagramConn.receive）" +
          "没有超时：要让它和一个定时器赛跑。lib/udp.ts 里的 raceTimeout(promise, ms) 就是干这个的，时间到了返回 undefined。",
      },
      {
        en: "To UDP a lost datagram and a missing server look the same: silence. So after each " +
          "timeout send the name again, and after `tries` sends throw " +
          "`new TimeoutError(message, hint)` (lib/errors.ts).",
        zh:
          "对 UDP 来说，数据报丢了和服务器不在是一回事：都只有沉默。所以每次超时后重发这个名字，" +
          "发满 `tries` 次后抛出 `new TimeoutError(message, hint)`（lib/errors.ts）。",
      },
      {
        en: "raceTimeout leaves the receive() waiting. Keep it in `pending` and race the same " +
          "promise again on the next try (`pending ??= socket.receive()`), instead of a second " +
          "receive(); set `pending` back to undefined once it has brought a reply.",
        zh:
          "raceTimeout 不会取消那个 receive()，它还在等。把它存在 `pending` 里，下一次重试时继续和同一个 promise 赛跑" +
          "（`pending ??= socket.receive()`），不要再调用一次 receive()；收到回复后把 `pending` 设回 undefined。",
      },
      {
        en: "let reply; for (let i = 1; i <= tries && !reply; i++) { " +
          "await socket.send(encoder.encode(name), to); pending ??= socket.receive(); " +
          "const got = await raceTimeout(pending, timeoutMs); if (got) [pending, reply] = " +
          "[undefined, got[0]]; } if (!reply) throw new TimeoutError(`no reply after ${tries} " +
          "tries`); replies.push(decoder.decode(reply));",
        zh: "let reply; for (let i = 1; i <= tries && !reply; i++) { " +
          "await socket.send(encoder.encode(name), to); pending ??= socket.receive(); " +
          "const got = await raceTimeout(pending, timeoutMs); if (got) [pending, reply] = " +
          "[undefined, got[0]]; } if (!reply) throw new TimeoutError(`no reply after ${tries} " +
          "tries`); replies.push(decoder.decode(reply));",
      },
    ],
    checks: [
      { test: "resolves to the replies", zh: "逐个发送名字，按顺序返回每个回复", hint: 1 },
      {
        test: "never answers",
        zh: "服务器一直不回答时，发满 tries 次后抛出 TimeoutError，而不是永远等下去",
        hint: 2,
      },
      {
        test: "sends a lost datagram again",
        zh: "第一个数据报丢了，重发的那次要拿到回复",
        hint: 3,
      },
    ],
  },
  {
    id: "04c",
    file: "04_udp_hello/c_server_loop.ts",
    goal: {
      en: "a server loop no datagram can stop: errors cost one datagram, each arrives whole",
      zh: "任何数据报都停不下的服务器循环：出错只损失这一个数据报，每个数据报都完整收下",
    },
    tests: ["tests/lib_udp_server.test.ts", "tests/hostile/04_udp_hello.test.ts"],
    hints: [
      {
        en: "Look up Deno.DatagramConn.receive " +
          "(https://docs.deno.com/api/deno/~/Deno.DatagramConn.receive): it resolves " +
          "to [data, addr] and takes an optional buffer. It rejects once the socket is closed: " +
          "that is how close() ends the loop. The tutorial's loop is " +
          "`while True: data, addr = s.recvfrom(1024)`.",
        zh: "查一下 Deno.DatagramConn.receive" +
          "（https://docs.deno.com/api/deno/~/Deno.DatagramConn.receive）：它返回 [data, addr]，" +
          "可以传一个缓冲区。socket 关闭后它会 reject：close() 就是这样结束循环的。教程的循环是 " +
          "`while True: data, addr = s.recvfrom(1024)`。",
      },
      {
        en: "Give receive() a buffer of MAX_UDP_PAYLOAD_IPV6 bytes (lib/udp.ts): without one it " +
          "returns at most 65,507 bytes and cuts a longer IPv6 datagram. netAddr(from) " +
          "(lib/addr.ts) turns the sender into the Deno.NetAddr the handler takes.",
        zh:
          "给 receive() 一个 MAX_UDP_PAYLOAD_IPV6 字节的缓冲区（lib/udp.ts）：不给的话它最多返回 65,507 字节，" +
          "更长的 IPv6 数据报会被截断。netAddr(from)（lib/addr.ts）把发送方地址变成处理函数要的 Deno.NetAddr。",
      },
      {
        en:
          "Two failures, two answers. receive() failing while `closing` (or isClosedError(err)) " +
          "means close() was called: return, log nothing. The handler's promise rejecting costs " +
          "that datagram only: `current = handler(data, sender).catch((err) => log(...))`, " +
          "then `await current` and loop.",
        zh:
          "两种失败，两种处理。`closing` 为真时（或 isClosedError(err)）receive() 失败，说明调用了 close()：" +
          "直接 return，什么都不记。处理函数的 promise reject 只损失这一个数据报：" +
          "`current = handler(data, sender).catch((err) => log(...))`，然后 `await current`，继续循环。",
      },
      {
        en: "while (!closing) { let data, from; try { [data, from] = await socket.receive(new " +
          "Uint8Array(MAX_UDP_PAYLOAD_IPV6)); } catch (err) { if (closing || isClosedError(err)) " +
          "return; log(`receive failed: ${err}`); continue; } const sender = netAddr(from); " +
          "current = handler(data, sender).catch((err) => log(`Datagram from " +
          "${formatAddr(sender)} dropped: ${err}`)); await current; }",
        zh: "while (!closing) { let data, from; try { [data, from] = await socket.receive(new " +
          "Uint8Array(MAX_UDP_PAYLOAD_IPV6)); } catch (err) { if (closing || isClosedError(err)) " +
          "return; log(`receive failed: ${err}`); continue; } const sender = netAddr(from); " +
          "current = handler(data, sender).catch((err) => log(`Datagram from " +
          "${formatAddr(sender)} dropped: ${err}`)); await current; }",
      },
    ],
    checks: [
      { test: "calls the handler with each datagram", zh: "每个数据报都要交给处理函数", hint: 1 },
      {
        test: "a handler that throws drops only that datagram",
        zh: "处理函数出错只丢掉这一个数据报，下一个照样回复，并记一行原因",
        hint: 3,
      },
      { test: "EMSGSIZE", zh: "回复太大发不出去（EMSGSIZE）也不能让服务器停下", hint: 3 },
      { test: "close() ends the loop", zh: "close() 之后循环结束，finished 完成", hint: 1 },
      { test: "closing is no failure", zh: "关闭时 receive() 的失败是预期的，不要记日志", hint: 3 },
      { test: "close(graceMs)", zh: "close(graceMs) 要等正在处理的数据报把回复发出去", hint: 3 },
      { test: "65,527-byte datagram", zh: "65,527 字节的 IPv6 数据报要完整交给处理函数", hint: 2 },
      {
        test: "04 UDP hello",
        zh: "敌意输入（随机字节、空数据报、最大数据报、洪水、1,000 个客户端）之后服务器仍然回复",
        hint: 3,
      },
    ],
  },
];
