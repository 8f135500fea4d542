/**
 * Lesson 07's exercises: the chat, turn by turn, then both ways at once,
 * then what a relay must do about members who stop reading and about
 * strangers' control characters.
 *
 * @module
 */

import type { Exercise } from "../catalog.ts";

const TESTS = ["tests/07_chat.test.ts"];

/** Lesson 07's exercises, in order. */
export const EXERCISES_07: readonly Exercise[] = [
  {
    id: "07a",
    file: "07_chat/a_turn_client.ts",
    goal: {
      en: "the tutorial's chat client: speak, then wait for the answer, until someone says esc",
      zh: "教程的聊天客户端：先说一句，再等对方回答，直到有一方说 esc",
    },
    tests: TESTS,
    hints: [
      {
        en: "The tutorial's client3.py loops over send_data = input('客户端说:'), " +
          "s.send(send_data.encode()), d = s.recv(1024).decode(). Here input() is " +
          "keyboard.read() (https://docs.deno.com/api/web/~/ReadableStreamDefaultReader), " +
          "send() is writeAll(conn, encodeLine(text)), recv() is lines.next(): both give " +
          "{ value, done }.",
        zh: "教程的 client3.py 循环做三件事：send_data = input('客户端说:')、" +
          "s.send(send_data.encode())、d = s.recv(1024).decode()。这里 input() 对应 " +
          "keyboard.read()（https://docs.deno.com/api/web/~/ReadableStreamDefaultReader），" +
          "send() 对应 writeAll(conn, encodeLine(text))，recv() 对应 lines.next()：" +
          "两者都返回 { value, done }。",
      },
      {
        en: "One loop, two halves: your turn (read the keyboard, send the line), then the " +
          "server's (await lines.next()). Read the next keyboard line only after the server's " +
          "line has arrived: that wait is what makes it turn by turn. done from the keyboard " +
          'is Ctrl+D: send ESC instead, and return how: "end of input".',
        zh:
          "一个循环，分两半：轮到你时（读键盘，发出这一行），然后轮到服务器（await lines.next()）。" +
          "服务器那一行到了之后才读下一行键盘输入：正是这个等待让聊天一人一句。" +
          '键盘的 done 表示 Ctrl+D：改为发送 ESC，并返回 how: "end of input"。',
      },
      {
        en: "The server's turn can end the chat two ways: heard.done (it hung up without a " +
          'word: { left: "peer", how: "connection closed" }) and heard.value === ESC ' +
          '({ left: "peer", how: "esc" }). Without the done check the client goes on ' +
          "talking to nobody.",
        zh: "轮到服务器时，聊天有两种结束方式：heard.done（对方一句话没说就挂断了：" +
          '{ left: "peer", how: "connection closed" }），以及 heard.value === ESC' +
          '（{ left: "peer", how: "esc" }）。漏掉 done 的检查，客户端就会对着空气继续说话。',
      },
      {
        en: "while (true) { const typed = await keyboard.read(); " +
          "const text = typed.done ? ESC : typed.value; " +
          "await writeAll(conn, encodeLine(text, { maxLine })); " +
          'if (text === ESC) return { left: "me", how: typed.done ? "end of input" : "esc" }; ' +
          "const heard = await lines.next(); " +
          'if (heard.done) return { left: "peer", how: "connection closed" }; ' +
          'if (heard.value === ESC) return { left: "peer", how: "esc" }; }',
        zh: "while (true) { const typed = await keyboard.read(); " +
          "const text = typed.done ? ESC : typed.value; " +
          "await writeAll(conn, encodeLine(text, { maxLine })); " +
          'if (text === ESC) return { left: "me", how: typed.done ? "end of input" : "esc" }; ' +
          "const heard = await lines.next(); " +
          'if (heard.done) return { left: "peer", how: "connection closed" }; ' +
          'if (heard.value === ESC) return { left: "peer", how: "esc" }; }',
      },
    ],
    checks: [
      {
        test: "speaks first, then waits",
        zh: "客户端先说 hi；服务器回答之前，第二行不能发出；esc 也作为一行发出",
        hint: 2,
      },
      { test: "the server's esc", zh: "服务器说 esc 时，客户端也结束并挂断", hint: 3 },
      {
        test: "Ctrl+D on its turn",
        zh: "轮到自己时键盘结束（Ctrl+D）：发送 esc，结果是 end of input",
        hint: 2,
      },
      {
        test: "end of stream is checked",
        zh: "服务器不说 esc 直接挂断：lines.next() 返回 done 时要结束（缺少对流结束的检查）",
        hint: 3,
      },
    ],
  },
  {
    id: "07b",
    file: "07_chat/b_full_duplex.ts",
    goal: {
      en: "full duplex: speak and hear at once over one connection; leave with closeWrite()",
      zh: "全双工：在同一个连接上同时说和听；离开时用 closeWrite()",
    },
    tests: TESTS,
    hints: [
      {
        en: "Python would start a thread: threading.Thread(target=hear, args=(s,)).start(); " +
          "speak(s). In Deno, call an async function without awaiting it and it runs on its " +
          "own. Look up Promise.race (MDN) and Deno.Conn.closeWrite " +
          "(https://docs.deno.com/api/deno/~/Deno.Conn#method_closeWrite), Python's " +
          "s.shutdown(socket.SHUT_WR).",
        zh: "Python 会另开一个线程：threading.Thread(target=hear, args=(s,)).start(); speak(s)。" +
          "在 Deno 里，调用一个 async 函数而不 await 它，它就自己运行。查一下 Promise.race（MDN）" +
          "和 Deno.Conn.closeWrite（https://docs.deno.com/api/deno/~/Deno.Conn#method_closeWrite），" +
          "也就是 Python 的 s.shutdown(socket.SHUT_WR)。",
      },
      {
        en: "Write the speaking loop as its own async function: read the keyboard; on done or " +
          "QUIT return; otherwise writeAll(conn, encodeLine(value)). Never read the socket " +
          "after a send: hearing is the other loop's job.",
        zh: "把说话的循环写成单独的 async 函数：读键盘；遇到 done 或 QUIT 就返回；" +
          "否则 writeAll(conn, encodeLine(value))。发送之后不要读套接字：听是另一个循环的事。",
      },
      {
        en: "Race the two loops' promises (Promise.race) to learn which ended first. If you " +
          "left: shut down your sending side with closeWrite(), then wait for hearing: the " +
          "other side's last lines (* alice left) come after your FIN, and close() would lose " +
          "them. If the other side hung up: cancel the keyboard reader, or its read waits for ever.",
        zh: "让两个循环的 promise 赛跑（Promise.race），看谁先结束。如果是你先离开：" +
          "用 closeWrite() 关闭发送方向，再等 hearing 结束：对方最后几行（* alice left）" +
          "在你的 FIN 之后才到，用 close() 会把它们丢掉。如果是对方先挂断：取消键盘的 reader，" +
          "否则读键盘会一直等下去。",
      },
      {
        en: "const speaking = (async () => { while (true) { const { value, done } = " +
          "await keyboard.read(); if (done || value === QUIT) return; " +
          "await writeAll(conn, encodeLine(value)); } })(); " +
          'const first = await Promise.race([hearing.then(() => "server" as const), ' +
          'speaking.then(() => "me" as const)]); ' +
          'if (first === "me") { await conn.closeWrite(); await hearing; } ' +
          "await keyboard.cancel(); return { received, left: first };",
        zh: "const speaking = (async () => { while (true) { const { value, done } = " +
          "await keyboard.read(); if (done || value === QUIT) return; " +
          "await writeAll(conn, encodeLine(value)); } })(); " +
          'const first = await Promise.race([hearing.then(() => "server" as const), ' +
          'speaking.then(() => "me" as const)]); ' +
          'if (first === "me") { await conn.closeWrite(); await hearing; } ' +
          "await keyboard.cancel(); return { received, left: first };",
      },
    ],
    checks: [
      { test: "no turns", zh: "对方一言不发时，键盘上的每一行也要立刻发出（不轮流）", hint: 2 },
      {
        test: "after /quit it shuts down writing",
        zh: "/quit 之后用 closeWrite() 关闭发送方向，但继续听，直到对方挂断",
        hint: 3,
      },
      {
        test: "hangs up first",
        zh: "对方先挂断时，停止读键盘（keyboard.cancel()）并结束",
        hint: 3,
      },
      {
        test: "without waiting for anyone's answer",
        zh: "聊天室里连发三行，没人回答也都能到达其他人",
        hint: 2,
      },
      {
        test: "/quit ends the chat on both sides",
        zh: "/quit 之后自己还能收到 * alice left，然后聊天结束",
        hint: 3,
      },
      {
        test: "Ctrl+D (the end of input)",
        zh: "Ctrl+D 和 /quit 一样：FIN，然后 * NAME left",
        hint: 3,
      },
      {
        test: "every client hears '* server left'",
        zh: "服务器关闭时，每个客户端都收到 * server left，放开键盘并结束",
        hint: 3,
      },
    ],
  },
  {
    id: "07c",
    file: "07_chat/c_max_pending.ts",
    goal: {
      en: "a limit: give up on a member once more than maxPending bytes wait for them",
      zh: "限制：等着发给某个成员的字节超过 maxPending 时，放弃这个成员",
    },
    tests: TESTS,
    hints: [
      {
        en: "conn.write() resolves with how many bytes the kernel took " +
          "(https://docs.deno.com/api/deno/~/Deno.Conn#method_write; Python: n = conn.send(data)). " +
          "A counter of waiting bytes goes up in send() and down by n in the write loop.",
        zh: "conn.write() 的结果是内核收下了多少字节" +
          "（https://docs.deno.com/api/deno/~/Deno.Conn#method_write；Python：n = conn.send(data)）。" +
          "用一个计数器记下在等的字节：send() 里加上，写循环里减去 n。",
      },
      {
        en: "Keep a counter of waiting bytes, starting at 0. In send(), add the line's " +
          "length in bytes, then compare before queueing: more than maxPending (not equal " +
          "to it) means give up: mark the outbox closed, call onTooSlow(), and drop the line.",
        zh: "用一个计数器记下在等的字节数，从 0 开始。在 send() 里加上这一行的字节数，" +
          "入队之前先比较：超过 maxPending（等于不算）就放弃：把 outbox 标记为关闭，" +
          "调用 onTooSlow()，这一行不再入队。",
      },
      {
        en: "In the write loop, each time write() says the kernel took n bytes, take n off " +
          "the counter. Without that, a member who reads everything is still dropped once " +
          "maxPending bytes have passed in all.",
        zh: "在写循环里，每次 write() 说内核收下了 n 个字节，就从计数器里减去 n。" +
          "少了这一步，一个什么都读了的成员也会在累计经过 maxPending 字节后被踢掉。",
      },
      {
        en: "send(line) { if (!open) return; const bytes = encodeLine(line, UNCHECKED); " +
          "pending += bytes.length; if (pending > maxPending) { open = false; " +
          "return onTooSlow(); } queued.push(bytes); writing ??= writeQueued(); }",
        zh: "send(line) { if (!open) return; const bytes = encodeLine(line, UNCHECKED); " +
          "pending += bytes.length; if (pending > maxPending) { open = false; " +
          "return onTooSlow(); } queued.push(bytes); writing ??= writeQueued(); }",
      },
    ],
    checks: [
      {
        test: "first byte past maxPending",
        zh: "在等的字节超过 maxPending（而不是正好等于）时才放弃该成员，之后不再接收新的行",
        hint: 2,
      },
      {
        test: "keeps a member who reads",
        zh: "对方一直在读：内核已经收下的字节不再算作在等",
        hint: 3,
      },
    ],
  },
  {
    id: "07d",
    file: "07_chat/d_control_characters.ts",
    goal: {
      en: "strip control characters (C0 but tab, DEL, C1) from every line before relaying it",
      zh: "转发之前去掉每一行里的控制字符（除 tab 外的 C0、DEL、C1）",
    },
    tests: [...TESTS, "tests/hostile/07_chat.test.ts"],
    hints: [
      {
        en: "Python: re.sub(pattern, '\\ufffd', text). In TypeScript: text.replace(regex, " +
          '"\\ufffd") with the g flag (String.prototype.replace on MDN). The control ' +
          "characters: C0 (U+0000–U+001F), DEL (U+007F), C1 (U+0080–U+009F); see ECMA-48 " +
          "and man 4 console_codes.",
        zh: "Python：re.sub(pattern, '\\ufffd', text)。TypeScript 里是 text.replace(regex, " +
          '"\\ufffd")，正则要带 g 标志（见 MDN 上的 String.prototype.replace）。控制字符有：' +
          "C0（U+0000–U+001F）、DEL（U+007F）、C1（U+0080–U+009F）；参见 ECMA-48 和 " +
          "man 4 console_codes。",
      },
      {
        en: "One character class with three ranges: \\x00-\\x08 and \\x0a-\\x1f (tab, \\x09, " +
          "stays), then \\x7f-\\x9f for DEL and C1 together. A class that stops at \\x1f lets " +
          "DEL and U+009B through, and U+009B is CSI: terminals may obey it like ESC [.",
        zh: "一个字符类，三个范围：\\x00-\\x08 和 \\x0a-\\x1f（tab 即 \\x09 保留），" +
          "再加 \\x7f-\\x9f，把 DEL 和 C1 一起包括进去。只写到 \\x1f 的话，DEL 和 U+009B " +
          "会漏过去，而 U+009B 就是 CSI：终端可能把它当作 ESC [ 执行。",
      },
      {
        en: "// deno-lint-ignore no-control-regex\n" +
          'return text.replace(/[\\x00-\\x08\\x0a-\\x1f\\x7f-\\x9f]/g, "\\ufffd");',
        zh: "// deno-lint-ignore no-control-regex\n" +
          'return text.replace(/[\\x00-\\x08\\x0a-\\x1f\\x7f-\\x9f]/g, "\\ufffd");',
      },
    ],
    checks: [
      {
        test: "DEL and the C1 controls",
        zh: "DEL 和 C1 控制字符（U+009B 是 CSI）不能到达其他成员，服务器日志里也不能有",
        hint: 2,
      },
      {
        test: "replaces every C0 control",
        zh: "除 tab 外的每个 C0 控制字符、DEL 和每个 C1 控制字符都变成 �，其他字符不变",
        hint: 1,
      },
      {
        test: "a NUL byte",
        zh: "NUL、ESC、DEL 和 CSI 转发出去时都变成 �",
        hint: 1,
      },
    ],
  },
];
