/**
 * Lesson 02's exercises: Hello World for a browser, from a raw TCP socket.
 *
 * @module
 */

import type { Exercise } from "../catalog.ts";

const TESTS = ["tests/02_hello_http.test.ts"];
const HOSTILE = [...TESTS, "tests/hostile/02_hello_http.test.ts"];

/** Lesson 02's exercises, in order. */
export const EXERCISES_02: readonly Exercise[] = [
  {
    id: "02a",
    file: "02_hello_http/a_accept_loop.ts",
    goal: {
      en: "the tutorial's server: accept, read once, print, send the answer, close; then the next",
      zh: "教程的服务器：accept，读一次，打印请求，发回答，关闭；然后接下一个",
    },
    tests: TESTS,
    hints: [
      {
        en: "The tutorial's loop («25.Python 网络编程：TCP和UDP编程», example 1), line by line: " +
          "`c,a = s.accept()` inside `while True:` is `for await (const c of listener)` " +
          "(https://docs.deno.com/api/deno/~/Deno.Listener); `data = c.recv(1024)` is " +
          "`n = await c.read(buffer)` with a 1024-byte buffer, and `c.close()` is c.close() " +
          "(https://docs.deno.com/api/deno/~/Deno.Conn).",
        zh: "对照教程（«25.Python 网络编程：TCP和UDP编程» 的例 1）逐行改写：`while True:` 里的 " +
          "`c,a = s.accept()` 是 `for await (const c of listener)`" +
          "（https://docs.deno.com/api/deno/~/Deno.Listener）；`data = c.recv(1024)` 是用 1024 " +
          "字节的 buffer 调用 `n = await c.read(buffer)`；`c.close()` 就是 c.close()" +
          "（https://docs.deno.com/api/deno/~/Deno.Conn）。",
      },
      {
        en: "read() says how many bytes it put into the buffer, or null when the client closed: " +
          "decode only buffer.subarray(0, n ?? 0), or the print shows up to 1024 \\x00. The " +
          'request\'s lines end in \\r\\n: log each of data.trimEnd().split("\\r\\n").',
        zh: "read() 返回它往 buffer 里放了多少字节，客户端关闭时返回 null：只解码 " +
          "buffer.subarray(0, n ?? 0)，否则打印出来会多出最多 1024 个 \\x00。请求的每一行以 " +
          '\\r\\n 结尾：对 data.trimEnd().split("\\r\\n") 的每一行调用一次 log()。',
      },
      {
        en: "Close every connection after its answer, even when a read or write fails: " +
          "`using c = accepted;` does it at the end of the turn. The tutorial's answer has no " +
          "length, so without the close the client waits for ever. Catch errors inside the " +
          "loop, so that one client's reset does not stop the server.",
        zh:
          "每个连接回答完都要关闭，读写出错也一样：写成 `using c = accepted;`，这一轮结束时自动关闭。" +
          "教程的回答没有长度，不关闭的话客户端会一直等下去。在循环里面捕获错误，" +
          "这样一个客户端的 reset 不会让整个服务器停下来。",
      },
      {
        en: "for await (const accepted of listener) { using c = accepted; try { const buffer = " +
          "new Uint8Array(1024); const n = await c.read(buffer); const data = " +
          'decoder.decode(buffer.subarray(0, n ?? 0)); for (const line of data.trimEnd().split("\\r\\n")) ' +
          "log(line); await writeAll(c, encoder.encode(TUTORIAL_ANSWER)); } catch (err) { " +
          "log(String(err)); } }",
        zh: "for await (const accepted of listener) { using c = accepted; try { const buffer = " +
          "new Uint8Array(1024); const n = await c.read(buffer); const data = " +
          'decoder.decode(buffer.subarray(0, n ?? 0)); for (const line of data.trimEnd().split("\\r\\n")) ' +
          "log(line); await writeAll(c, encoder.encode(TUTORIAL_ANSWER)); } catch (err) { " +
          "log(String(err)); } }",
      },
    ],
    checks: [
      {
        test: "prints the request",
        zh: "客户端读到教程那段回答的每个字节，然后是 EOF；日志像 print(data) 一样逐行打印请求",
        hint: 2,
      },
      {
        test: "one client after another",
        zh: "第一个客户端之后还要服务第二个：每个连接回答完就关闭，循环继续 accept",
        hint: 3,
      },
    ],
  },
  {
    id: "02b",
    file: "02_hello_http/b_response.ts",
    goal: {
      en: "an answer a browser can trust: Content-Type, Content-Length in bytes, Connection: close",
      zh: "浏览器信得过的回答：Content-Type、按字节计的 Content-Length、Connection: close",
    },
    tests: TESTS,
    hints: [
      {
        en: "Content-Length is Python's len(html.encode('utf-8')), not len(html): it counts " +
          "bytes, and each Chinese character is 3 of them in UTF-8. In Deno: " +
          "new TextEncoder().encode(body).length (https://docs.deno.com/api/web/~/TextEncoder).",
        zh:
          "Content-Length 相当于 Python 的 len(html.encode('utf-8'))，而不是 len(html)：它数的是字节，" +
          "每个汉字在 UTF-8 里占 3 个字节。Deno 里是 new TextEncoder().encode(body).length" +
          "（https://docs.deno.com/api/web/~/TextEncoder）。",
      },
      {
        en:
          "Every line of the head ends in \\r\\n, and one more \\r\\n, the empty line, ends the " +
          "head (RFC 9112 §2.1): the status line, Content-Type, Content-Length, Connection, then " +
          "options.fields as `Name: value`. Without the empty line fetch() waits for more head.",
        zh:
          "头部的每一行都以 \\r\\n 结尾，最后再多一个 \\r\\n（空行）表示头部结束（RFC 9112 §2.1）：" +
          "状态行、Content-Type、Content-Length、Connection，然后是 options.fields，每个写成 " +
          "`Name: value`。少了空行，fetch() 会一直等更多的头部。",
      },
      {
        en: "Encode the body once and use those bytes twice: for its length, and after the head " +
          "(concatBytes([head, bytes]) from lib/io.ts). With options.headOnly return the head " +
          "alone: the answer to HEAD gives the length of the body it does not send.",
        zh: "正文只编码一次，这份字节用两次：算长度，以及接在头部后面（lib/io.ts 的 " +
          "concatBytes([head, bytes])）。options.headOnly 时只返回头部：对 HEAD 的回答要写出正文的长度，" +
          "但不发送正文。",
      },
      {
        en: "const bytes = encoder.encode(body); const lines = [`HTTP/1.1 ${status} " +
          '${STATUS_TEXT[status]}`, `Content-Type: ${options.contentType ?? "text/html; ' +
          'charset=utf-8"}`, `Content-Length: ${bytes.length}`, "Connection: close", ' +
          "...(options.fields ?? []).map(([n, v]) => `${n}: ${v}`)]; const head = " +
          'encoder.encode(lines.join("\\r\\n") + "\\r\\n\\r\\n"); return options.headOnly ? head : ' +
          "concatBytes([head, bytes]);",
        zh: "const bytes = encoder.encode(body); const lines = [`HTTP/1.1 ${status} " +
          '${STATUS_TEXT[status]}`, `Content-Type: ${options.contentType ?? "text/html; ' +
          'charset=utf-8"}`, `Content-Length: ${bytes.length}`, "Connection: close", ' +
          "...(options.fields ?? []).map(([n, v]) => `${n}: ${v}`)]; const head = " +
          'encoder.encode(lines.join("\\r\\n") + "\\r\\n\\r\\n"); return options.headOnly ? head : ' +
          "concatBytes([head, bytes]);",
      },
    ],
    checks: [
      {
        test: "你好 is 6",
        zh: "逐字节一致：三个头部字段和空行；“你好”是 2 个字符、6 个字节",
        hint: 1,
      },
      { test: "headOnly", zh: "对 HEAD：同样的头部和正文的长度，但没有正文", hint: 3 },
      {
        test: "more fields after the three",
        zh: "可以换 Content-Type，额外的字段跟在三个字段后面",
        hint: 2,
      },
      {
        test: "every byte",
        zh: "真正的 HTTP 客户端 fetch() 读到完整的页面，一个字节不多也不少",
        hint: 1,
      },
    ],
  },
  {
    id: "02c",
    file: "02_hello_http/c_whole_head.ts",
    goal: {
      en: "read the whole request head, up to the empty line; past 16 KiB, 431",
      zh: "把请求头完整读到空行为止；超过 16 KiB 就回答 431",
    },
    tests: HOSTILE,
    hints: [
      {
        en: "Python: keep calling data += c.recv(1024) until b'\\r\\n\\r\\n' in data. In Deno, " +
          "conn.read(buffer.subarray(end)) reads into the free end of the buffer " +
          "(https://docs.deno.com/api/deno/~/Deno.Conn#method_read). You wrote this loop in " +
          "exercise 01b: readHead() in lib/http_head.ts does it, and you may call it here.",
        zh: "Python 的写法：不停地 data += c.recv(1024)，直到 b'\\r\\n\\r\\n' in data。Deno 里 " +
          "conn.read(buffer.subarray(end)) 把数据读进 buffer 空着的后半段" +
          "（https://docs.deno.com/api/deno/~/Deno.Conn#method_read）。这个循环你在练习 01b 写过：" +
          "lib/http_head.ts 的 readHead() 就是它，这里也可以直接调用。",
      },
      {
        en: "Keep `end`, how many bytes the buffer holds. After each read, look for HEAD_END " +
          "with indexOf(buffer.subarray(0, end), HEAD_END, from) from lib/io.ts, starting 3 bytes " +
          "before the new ones: TCP may cut \\r\\n\\r\\n between two reads.",
        zh: "用 `end` 记住 buffer 里已有多少字节。每读一次，就用 lib/io.ts 的 " +
          "indexOf(buffer.subarray(0, end), HEAD_END, from) 找 HEAD_END，从新数据之前 3 个字节开始找：" +
          "TCP 可能把 \\r\\n\\r\\n 切在两次读取之间。",
      },
      {
        en: "The limit: once end reaches buffer.length without HEAD_END, stop reading and throw " +
          "a LimitError; the catch in handleHttpConnection answers it with 431. A head of " +
          "exactly maxBytes, its \\r\\n\\r\\n included, is still allowed. read() returning null " +
          "means the client closed its side: return null.",
        zh: "限制：end 到了 buffer.length 还没找到 HEAD_END，就停止读取并抛出 LimitError；" +
          "handleHttpConnection 里的 catch 会用 431 回答它。恰好 maxBytes 字节（包括 \\r\\n\\r\\n）的头部" +
          "仍然允许。read() 返回 null 表示客户端关闭了它那一端：返回 null。",
      },
      {
        en: "let end = 0; while (end < buffer.length) { const n = await conn.read(" +
          "buffer.subarray(end)); if (n === null) return null; const from = Math.max(0, end - 3); " +
          "end += n; const at = indexOf(buffer.subarray(0, end), HEAD_END, from); if (at !== -1) " +
          "return buffer.subarray(0, at); } throw new LimitError(`the request head is longer than " +
          '${maxBytes} bytes`, "send a shorter head");',
        zh: "let end = 0; while (end < buffer.length) { const n = await conn.read(" +
          "buffer.subarray(end)); if (n === null) return null; const from = Math.max(0, end - 3); " +
          "end += n; const at = indexOf(buffer.subarray(0, end), HEAD_END, from); if (at !== -1) " +
          "return buffer.subarray(0, at); } throw new LimitError(`the request head is longer than " +
          '${maxBytes} bytes`, "send a shorter head");',
      },
    ],
    checks: [
      {
        test: "arrives in pieces",
        zh: "分几次（甚至一个字节一个字节）到达的请求头也要读完整",
        hint: 2,
      },
      {
        test: "over 1 KiB",
        zh: "超过 1 KiB 的请求头要读完整：1.5 KB 的 User-Agent 后面还有 Host",
        hint: 1,
      },
      {
        test: "exactly 16 KiB",
        zh: "恰好 16 KiB（含空行）的请求头照常服务，多一个字节就回答 431",
        hint: 3,
      },
      {
        test: "a head over 16 KiB",
        zh: "超过 16 KiB 的请求头得到 431，格式完整，然后关闭",
        hint: 3,
      },
      {
        test: "--max-head-bytes",
        zh: "限制来自选项 maxHeadBytes：200 字节的限制下普通请求头也得到 431",
        hint: 3,
      },
      {
        test: "no delimiter",
        zh: "1 MiB 没有空行的数据：读到限制就回答 431，不会一直读下去",
        hint: 3,
      },
      { test: "20 KB header line", zh: "一行 20 KB 的头部字段得到 431", hint: 3 },
    ],
  },
  {
    id: "02d",
    file: "02_hello_http/d_bad_request.ts",
    goal: {
      en: "a request the server cannot read still gets an answer: 400, 431 or 505",
      zh: "读不懂的请求也要得到回答：400、431 或 505",
    },
    tests: HOSTILE,
    hints: [
      {
        en: "Python: try: ... except ValueError as e: c.sendall(error_page(e)). TypeScript has " +
          "try { ... } catch (err) { ... } around the reading and the parsing. errorStatus(err) " +
          "in lessons/02_hello_http/answers.ts says which status fits: 400 (RFC 9110 §15.5.1), " +
          "431 (RFC 6585 §5) or 505.",
        zh:
          "Python 的写法：try: ... except ValueError as e: c.sendall(error_page(e))。TypeScript " +
          "里是把读取和解析包在 try { ... } catch (err) { ... } 里。lessons/02_hello_http/answers.ts " +
          "的 errorStatus(err) 会告诉你该用哪个状态码：400（RFC 9110 §15.5.1）、431（RFC 6585 §5）或 505。",
      },
      {
        en: "`answer` is declared before: in the try it is answerRequest(...) as now; in the " +
          "catch it is errorAnswer(status, err.message). The writeAll and the drain come after " +
          "both, so a bad request's answer is framed and closed like the page.",
        zh: "`answer` 已经在前面声明好了：try 里照旧是 answerRequest(...)；catch 里是 " +
          "errorAnswer(status, err.message)。writeAll 和 drain 放在两者之后，" +
          "这样错误的回答也和页面一样有长度、也会正常关闭。",
      },
      {
        en: "Not every error gets an answer: when errorStatus(err) is undefined (a reset, a " +
          "client that hung up mid-head) or err is not a LessonError, rethrow it; serve() logs " +
          "it and closes the connection.",
        zh:
          "不是每个错误都要回答：errorStatus(err) 为 undefined（对方 reset、请求头没发完就挂断）" +
          "或 err 不是 LessonError 时，把它重新抛出；serve() 会记录日志并关闭连接。",
      },
      {
        en: "try { const cut = await readHead(...); if (cut === null) return; answer = " +
          "answerRequest(parseRequestHead(cut.head)); } catch (err) { const status = " +
          "errorStatus(err); if (status === undefined || !(err instanceof LessonError)) throw " +
          "err; answer = errorAnswer(status, err.message); }",
        zh: "try { const cut = await readHead(...); if (cut === null) return; answer = " +
          "answerRequest(parseRequestHead(cut.head)); } catch (err) { const status = " +
          "errorStatus(err); if (status === undefined || !(err instanceof LessonError)) throw " +
          "err; answer = errorAnswer(status, err.message); }",
      },
    ],
    checks: [
      {
        test: "a line that is not HTTP",
        zh: "hello\\r\\n\\r\\n 得到 400 Bad Request，然后关闭",
        hint: 1,
      },
      {
        test: "TLS handshake",
        zh: "TLS 握手（有人输入了 https://）一看到开头几个字节就回答 400",
        hint: 1,
      },
      { test: "HTTP/2.0", zh: "请求行里是 HTTP/2.0：回答 505，不是 400", hint: 1 },
      { test: "HTTP/0.9", zh: "请求行里是 HTTP/0.9：另一个主版本，回答 505", hint: 1 },
      { test: "HTTP/1.10", zh: "HTTP/1.10 根本不是版本号：回答 400", hint: 2 },
      { test: "no colon", zh: "没有冒号的头部行：回答 400", hint: 2 },
      {
        test: "a head over 16 KiB",
        zh: "超过 16 KiB 的请求头得到 431，格式完整，然后关闭",
        hint: 2,
      },
      { test: "no delimiter", zh: "1 MiB 没有空行的数据得到 431", hint: 2 },
      { test: "20 KB header line", zh: "一行 20 KB 的头部字段得到 431", hint: 2 },
      { test: "invalid UTF-8", zh: "请求目标里有不是 UTF-8 的字节：回答 400", hint: 1 },
      { test: "NUL byte", zh: "含 NUL 或其他控制字符的请求：回答 400", hint: 1 },
      {
        test: "random bytes",
        zh: "随机字节：要么得到格式完整的 400/431/505，要么直接关闭",
        hint: 3,
      },
    ],
  },
  {
    id: "02e",
    file: "02_hello_http/e_drain.ts",
    goal: {
      en: "close without a reset: shut down the sending side, drain, then close",
      zh: "不用 reset 关闭：先关闭发送方向，读干净剩下的数据，再关闭",
    },
    tests: TESTS,
    hints: [
      {
        en: "Python: c.shutdown(socket.SHUT_WR), then while c.recv(4096): pass, then c.close(). " +
          "In Deno: conn.closeWrite() (https://docs.deno.com/api/deno/~/Deno.Conn#method_closeWrite), " +
          "then conn.read(buffer) until it returns null. lib/linger.ts explains why, and its " +
          "shutdownAndDrain() does it.",
        zh:
          "Python 的写法：c.shutdown(socket.SHUT_WR)，然后 while c.recv(4096): pass，最后 c.close()。" +
          "Deno 里是 conn.closeWrite()（https://docs.deno.com/api/deno/~/Deno.Conn#method_closeWrite），" +
          "然后反复 conn.read(buffer) 直到返回 null。lib/linger.ts 讲了为什么，它的 " +
          "shutdownAndDrain() 做的就是这件事。",
      },
      {
        en: "closeWrite() comes first: it sends FIN after the answer, and the client reads end " +
          "of stream. Drain without it and each side waits for the other: the client for your " +
          "FIN, you for its.",
        zh: "先调用 closeWrite()：它在回答之后发出 FIN，客户端才会读到 EOF。不先调用它就去读，" +
          "双方会互相等待：客户端等你的 FIN，你等客户端的 FIN。",
      },
      {
        en: "Bound the drain: a client that never closes must not hold the handler for ever. " +
          "setTimeout(() => conn.close(), 1000) makes the waiting read fail; catch that " +
          "(BadResource, Interrupted, or the client's reset) and clear the timer in finally.",
        zh: "给读取剩余数据设个期限：一直不关闭的客户端不能永远占着处理函数。" +
          "setTimeout(() => conn.close(), 1000) 会让正在等待的 read 失败；捕获这个错误" +
          "（BadResource、Interrupted 或者客户端的 reset），并在 finally 里清掉定时器。",
      },
      {
        en: "await shutdownAndDrain(conn);   (and import { shutdownAndDrain } from " +
          '"../../lib/linger.ts"), or by hand: const timer = setTimeout(() => conn.close(), 1000); ' +
          "try { await conn.closeWrite(); const scratch = new Uint8Array(16384); while ((await " +
          "conn.read(scratch)) !== null) {} } catch { /* closed or reset */ } finally { " +
          "clearTimeout(timer); }",
        zh: "await shutdownAndDrain(conn);   （并且 import { shutdownAndDrain } from " +
          '"../../lib/linger.ts"），或者手写：const timer = setTimeout(() => conn.close(), 1000); ' +
          "try { await conn.closeWrite(); const scratch = new Uint8Array(16384); while ((await " +
          "conn.read(scratch)) !== null) {} } catch { /* 已关闭或被 reset */ } finally { " +
          "clearTimeout(timer); }",
      },
    ],
    checks: [
      {
        test: "still uploading",
        zh: "客户端还在上传时：它读到回答，然后是 EOF（不是 reset），剩下的上传也能发完",
        hint: 2,
      },
      {
        test: "neither sends nor closes",
        zh:
          "回答之后马上发出 FIN（客户端读到 EOF）；之后既不发送也不关闭的客户端，服务器大约一秒后放手",
        hint: 3,
      },
    ],
  },
];
