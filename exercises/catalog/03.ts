/**
 * Lesson 03's exercises: the TCP hello server and client.
 *
 * @module
 */

import type { Exercise } from "../catalog.ts";

const TESTS = ["tests/03_tcp_hello.test.ts"];

/** Lesson 03's exercises, in order. */
export const EXERCISES_03: readonly Exercise[] = [
  {
    id: "03a",
    file: "03_tcp_hello/a_greet.ts",
    goal: {
      en: "greet each client with Welcome! as soon as it connects",
      zh: "客户端一连上就发送 Welcome!",
    },
    tests: TESTS,
    hints: [
      {
        en: "Python's sock.send(b'Welcome!') is conn.write() in Deno: look up Deno.Conn.write " +
          "(https://docs.deno.com/api/deno/~/Deno.Conn#method_write). It takes bytes, not a string.",
        zh: "Python 的 sock.send(b'Welcome!') 在 Deno 里是 conn.write()：查一下 Deno.Conn.write" +
          "（https://docs.deno.com/api/deno/~/Deno.Conn#method_write）。它要的是字节，不是字符串。",
      },
      {
        en:
          "Turn the text into bytes with the encoder the file already has, and await the write: " +
          "the handler must not return before the bytes are handed to the kernel.",
        zh:
          "用文件里已有的 encoder 把文本变成字节，并且 await 这次写入：字节交给内核之前处理函数不能返回。",
      },
      {
        en: "await conn.write(encoder.encode(WELCOME));",
        zh: "await conn.write(encoder.encode(WELCOME));",
      },
    ],
    checks: [{
      test: "sends Welcome!",
      zh: "客户端什么都没发，服务器也要先发来 8 字节的 Welcome!",
      hint: 1,
    }],
  },
  {
    id: "03b",
    file: "03_tcp_hello/b_read_loop.ts",
    goal: {
      en: "answer every read with Hello, <text>! until exit or the end of the stream",
      zh: "对每次读到的内容回复 Hello, <text>!，直到收到 exit 或对方关闭",
    },
    tests: TESTS,
    hints: [
      {
        en: "Python's data = sock.recv(1024) is n = await conn.read(buffer) (Deno.Conn.read): it " +
          "fills part of `buffer` and says how many bytes. Python's `if not data` is n === null.",
        zh:
          "Python 的 data = sock.recv(1024) 对应 n = await conn.read(buffer)（Deno.Conn.read）：" +
          "它填充 buffer 的一部分并返回字节数。Python 的 `if not data` 对应 n === null。",
      },
      {
        en: "Decode only the bytes this read filled: buffer.subarray(0, n). Decoding the whole " +
          "buffer adds up to 1024 NUL characters (\\x00) to every reply.",
        zh:
          "只解码这次读到的字节：buffer.subarray(0, n)。解码整个 buffer 会在每个回复里多出最多 1024 个 NUL（\\x00）。",
      },
      {
        en: 'Compare the decoded text with "exit" exactly (not startsWith): `exiting` is a name.',
        zh: '把解码后的文本与 "exit" 完全比较（不要用 startsWith）：`exiting` 是一个名字。',
      },
      {
        en: "while (true) { const n = await conn.read(buffer); if (n === null) return; " +
          "const text = decoder.decode(buffer.subarray(0, n), { stream: true }); " +
          'if (text === "exit") return; await writeAll(conn, encoder.encode(`Hello, ${text}!`)); }',
        zh: "while (true) { const n = await conn.read(buffer); if (n === null) return; " +
          "const text = decoder.decode(buffer.subarray(0, n), { stream: true }); " +
          'if (text === "exit") return; await writeAll(conn, encoder.encode(`Hello, ${text}!`)); }',
      },
    ],
    checks: [
      {
        test: "answers Hello, <name>!",
        zh: "对每个名字回复 Hello, <名字>!，UTF-8 也一样",
        hint: 1,
      },
      { test: "end of stream", zh: "客户端关闭写端后，服务器也要结束（对方读到 EOF）", hint: 1 },
      { test: "exit makes the server close", zh: "收到 exit 后服务器关闭连接", hint: 1 },
      {
        test: "exactly the tutorial's",
        zh: "线路上的字节与教程一致：8 字节问候，UTF-8 回复",
        hint: 2,
      },
      { test: "exiting", zh: "只有恰好是 exit 才结束：exiting 得到 Hello, exiting!", hint: 3 },
      { test: "cut between two reads", zh: "被两次读取切开的 UTF-8 字符要拼回来", hint: 4 },
    ],
  },
  {
    id: "03c",
    file: "03_tcp_hello/c_client.ts",
    goal: {
      en: "the client: send each name, wait for its reply, then exit",
      zh: "客户端：逐个发送名字，等到回复再发下一个，最后发送 exit",
    },
    tests: TESTS,
    hints: [
      {
        en: "The tutorial's client: print(s.recv(1024)), then for each name s.send(name) and " +
          "print(s.recv(1024)), then s.send(b'exit'). In Deno: conn.read(buffer) and writeAll(conn, bytes).",
        zh:
          "教程的客户端：先 print(s.recv(1024))，然后对每个名字 s.send(name) 再 print(s.recv(1024))，" +
          "最后 s.send(b'exit')。Deno 里是 conn.read(buffer) 和 writeAll(conn, bytes)。",
      },
      {
        en: "Wait for each reply before sending the next name: sent back to back, two names can " +
          "arrive in one read (MichaelTracy), and the replies no longer line up.",
        zh:
          "每发一个名字都要等到它的回复再发下一个：连着发的话两个名字可能在一次读取中粘在一起（MichaelTracy），回复就对不上了。",
      },
      {
        en: "A small receive() that reads once, fails on null, and returns " +
          "decoder.decode(buffer.subarray(0, n)); call it once for the greeting and once per name.",
        zh:
          "写一个小函数 receive()：读一次，遇到 null 就报错，返回 decoder.decode(buffer.subarray(0, n))；问候读一次，每个名字读一次。",
      },
    ],
    checks: [
      { test: "talkHello()", zh: "按教程的顺序对话，并收到每个回复", hint: 1 },
    ],
  },
  {
    id: "03d",
    file: "03_tcp_hello/d_many_clients.ts",
    goal: {
      en: "serve several slow clients at the same time, from one thread",
      zh: "在一个线程里同时服务几个慢客户端",
    },
    tests: TESTS,
    hints: [
      {
        en:
          "Python: while True: sock, addr = s.accept(); threading.Thread(...).start(). In Deno, " +
          "`for await (const conn of listener)` accepts each connection (Deno.Listener).",
        zh:
          "Python：while True: sock, addr = s.accept(); threading.Thread(...).start()。Deno 里用 " +
          "`for await (const conn of listener)` 接受每个连接（Deno.Listener）。",
      },
      {
        en: "If the loop awaits the handler, the next accept() waits for the previous client to " +
          "finish. Start the handler and keep its promise instead; close the connection in .finally().",
        zh:
          "如果循环里 await 处理函数，下一次 accept() 就要等上一个客户端结束。应该启动处理函数、保存它的 promise，在 .finally() 里关闭连接。",
      },
      {
        en:
          "for await (const conn of listener) { handleHelloConnection(conn, options).catch(() => {})" +
          ".finally(() => conn.close()); }",
        zh:
          "for await (const conn of listener) { handleHelloConnection(conn, options).catch(() => {})" +
          ".finally(() => conn.close()); }",
      },
    ],
    checks: [{ test: "at the same time", zh: "三个客户端要同时被服务，而不是一个接一个", hint: 2 }],
  },
  {
    id: "03e",
    file: "03_tcp_hello/e_limits.ts",
    goal: {
      en: "limits: refuse the client over --max-connections, close silent ones",
      zh: "限制：超过 --max-connections 的客户端要拒绝，一直不说话的连接要关闭",
    },
    tests: [...TESTS, "tests/hostile/03_tcp_hello.test.ts"],
    hints: [
      {
        en:
          "Read the options of serve() in lib/serve.ts: maxConnections, idleTimeoutMs and refuse.",
        zh: "读一下 lib/serve.ts 里 serve() 的选项：maxConnections、idleTimeoutMs 和 refuse。",
      },
      {
        en:
          "refuseWith(bytes) from lib/limits.ts makes a `refuse` that writes the bytes and closes politely.",
        zh:
          "lib/limits.ts 里的 refuseWith(bytes) 会生成一个 refuse：写出这些字节，然后礼貌地关闭。",
      },
      {
        en:
          "serve(listener, handler, { log: options.log, maxConnections: options.maxConnections, " +
          "idleTimeoutMs: options.idleTimeoutMs, refuse: refuseWith(encoder.encode(BUSY)) })",
        zh:
          "serve(listener, handler, { log: options.log, maxConnections: options.maxConnections, " +
          "idleTimeoutMs: options.idleTimeoutMs, refuse: refuseWith(encoder.encode(BUSY)) })",
      },
    ],
    checks: [
      { test: "--max-connections", zh: "超过连接上限的客户端读到 Busy: ... 然后是 EOF", hint: 2 },
      { test: "send nothing", zh: "连上却一直不说话的客户端在空闲超时后被关闭", hint: 1 },
    ],
  },
];
