/**
 * Lesson 01's exercises: fetching a web page over a raw TCP socket.
 *
 * @module
 */

import type { Exercise } from "../catalog.ts";

const TESTS = ["tests/01_fetch_page.test.ts"];

/** Lesson 01's exercises, in order. */
export const EXERCISES_01: readonly Exercise[] = [
  {
    id: "01a",
    file: "01_fetch_page/a_raw_get.ts",
    goal: {
      en: "the tutorial's client: connect, send the GET, read until the server closes",
      zh: "教程的客户端：连接，发送 GET 请求，一直读到服务器关闭连接",
    },
    tests: TESTS,
    hints: [
      {
        en: "Liao Xuefeng's «TCP编程», line by line: s.connect((host, 80)) is Deno.connect({ " +
          "hostname, port }) (https://docs.deno.com/api/deno/~/Deno.connect); s.send(...) is " +
          "conn.write(bytes) and s.recv(1024) is conn.read(buffer) " +
          "(https://docs.deno.com/api/deno/~/Deno.Conn). read() returns how many bytes it put " +
          "into the buffer, or null where Python's recv() returns b''.",
        zh:
          "照着廖雪峰的《TCP编程》逐行对应：s.connect((host, 80)) 是 Deno.connect({ hostname, port })" +
          "（https://docs.deno.com/api/deno/~/Deno.connect）；s.send(...) 是 conn.write(bytes)，" +
          "s.recv(1024) 是 conn.read(buffer)（https://docs.deno.com/api/deno/~/Deno.Conn）。" +
          "read() 返回它往 buffer 里放了多少字节；Python 的 recv() 返回 b'' 的时候，它返回 null。",
      },
      {
        en: "write(), like send(), may take only part of the bytes and says how many it took. " +
          "writeAll() in lib/io.ts loops until all are sent, like sendall(). The request is a " +
          "string: turn it into bytes with new TextEncoder().encode(...).",
        zh:
          "write() 和 send() 一样，可能只收下一部分字节，并返回收下了多少。lib/io.ts 里的 writeAll() " +
          "会一直写到全部发完，相当于 sendall()。请求是字符串，先用 new TextEncoder().encode(...) 变成字节。",
      },
      {
        en: "Read in a loop and leave it only when read() returns null: the server has closed. " +
          "One read gets only the first piece of the page; a loop that never looks for null " +
          "never returns.",
        zh:
          "循环读取，只有 read() 返回 null（服务器已关闭连接）时才退出。只读一次只能拿到页面的第一段；" +
          "从不检查 null 的循环永远不会返回。",
      },
      {
        en: "Push a copy of the n bytes each read filled: d.slice(0, n), where d is the " +
          "Uint8Array you read into. Pushing d whole adds zeros; d.subarray(0, n) is a view " +
          "that the next read overwrites.",
        zh:
          "每次读取后把 d.slice(0, n) 放进 buffer：d 是你用来读取的 Uint8Array，这是这次填进去的 n 个字节的副本。保存整个 d 会多出一串 0；" +
          "subarray(0, n) 只是视图，下一次读取会把它覆盖掉。",
      },
      {
        en: 'using s = await Deno.connect({ hostname: options.host ?? "127.0.0.1", port: ' +
          "options.port }); await writeAll(s, new TextEncoder().encode(options.request)); " +
          "const d = new Uint8Array(1024); for (let n; (n = await s.read(d)) !== null;) " +
          'buffer.push(d.slice(0, n));   (and import { writeAll } from "../../lib/io.ts")',
        zh: 'using s = await Deno.connect({ hostname: options.host ?? "127.0.0.1", port: ' +
          "options.port }); await writeAll(s, new TextEncoder().encode(options.request)); " +
          "const d = new Uint8Array(1024); for (let n; (n = await s.read(d)) !== null;) " +
          'buffer.push(d.slice(0, n));   （别忘了 import { writeAll } from "../../lib/io.ts"）',
      },
    ],
    checks: [
      {
        test: "chunk sizes into the page",
        zh: "头部之后的字节要原样保留：分块服务器发来的十六进制大小也在其中",
        hint: 1,
      },
      {
        test: "byte for byte",
        zh: "请求要一字节不差地发出；分多次读到的 100 kB 回复要一字节不差地保留",
        hint: 4,
      },
      {
        test: "without Connection: close",
        zh: "要一直读到 read() 返回 null（服务器关闭连接），不能只读一次",
        hint: 3,
      },
      {
        test: "with Connection: close returns",
        zh: "服务器回答完并关闭连接后，客户端要马上返回",
        hint: 3,
      },
    ],
  },
  {
    id: "01b",
    file: "01_fetch_page/b_head.ts",
    goal: {
      en:
        "read up to the first \\r\\n\\r\\n however the reads cut it, keep what follows, stop at maxBytes",
      zh: "读到第一个 \\r\\n\\r\\n 为止（不管读取在哪里切开），保留其后的字节，最多读 maxBytes",
    },
    tests: ["tests/lib_http_head.test.ts"],
    hints: [
      {
        en: "The tutorial's data.split(b'\\r\\n\\r\\n', 1) needs everything first. Here you " +
          "search as the bytes come: indexOf(haystack, HEAD_END, from) from lib/io.ts finds the " +
          "empty line in bytes, and reader.read(p) (https://docs.deno.com/api/deno/~/Deno.Conn" +
          "#method_read) fills part of p and returns how many bytes, or null at end of stream.",
        zh:
          "教程的 data.split(b'\\r\\n\\r\\n', 1) 要先把所有字节读完。这里要边读边找：lib/io.ts 的 " +
          "indexOf(haystack, HEAD_END, from) 在字节里找空行；reader.read(p)" +
          "（https://docs.deno.com/api/deno/~/Deno.Conn#method_read）填充 p 的一部分，" +
          "返回字节数，流结束时返回 null。",
      },
      {
        en: "Read into buffer.subarray(end), the free end of the buffer, then end += n: each " +
          "read lands after the last, and no read can go past maxBytes.",
        zh:
          "读进 buffer.subarray(end)，也就是 buffer 还空着的尾部，然后 end += n：每次读到的字节都接在上次后面，" +
          "任何一次读取都不可能超过 maxBytes。",
      },
      {
        en: "The empty line may be cut between two reads (...\\r\\n\\r | \\n). After each read, " +
          "search buffer.subarray(0, end) starting 3 bytes before where this read began, not " +
          "only in this read's bytes.",
        zh:
          "空行可能被两次读取切开（...\\r\\n\\r | \\n）。每次读完后在 buffer.subarray(0, end) 里找，" +
          "从这次读取开始位置的前 3 个字节开始找，而不是只在这次读到的字节里找。",
      },
      {
        en: "Found at `at`: head is buffer.slice(0, at), rest is buffer.slice(at + 4, end), " +
          "the body's first bytes. Before each read: end === buffer.length means LimitError. " +
          "After it: null with end === 0 means return null, else UnexpectedEofError.",
        zh:
          "在 at 处找到：head 是 buffer.slice(0, at)，rest 是 buffer.slice(at + 4, end)，即正文开头的字节。" +
          "每次读之前：end === buffer.length 就抛 LimitError。读之后：返回 null 且 end === 0 就返回 null，" +
          "否则抛 UnexpectedEofError。",
      },
      {
        en: "while (true) { if (end === buffer.length) throw new LimitError(`head over " +
          "${options.maxBytes} bytes`); const n = await reader.read(buffer.subarray(end)); " +
          "if (n === null) { if (end === 0) return null; throw new UnexpectedEofError(`closed " +
          "after ${end} bytes of the head`); } const from = Math.max(0, end - 3); end += n; " +
          "const at = indexOf(buffer.subarray(0, end), HEAD_END, from); if (at !== -1) return " +
          "{ head: buffer.slice(0, at), rest: buffer.slice(at + 4, end) }; }",
        zh: "while (true) { if (end === buffer.length) throw new LimitError(`head over " +
          "${options.maxBytes} bytes`); const n = await reader.read(buffer.subarray(end)); " +
          "if (n === null) { if (end === 0) return null; throw new UnexpectedEofError(`closed " +
          "after ${end} bytes of the head`); } const from = Math.max(0, end - 3); end += n; " +
          "const at = indexOf(buffer.subarray(0, end), HEAD_END, from); if (at !== -1) return " +
          "{ head: buffer.slice(0, at), rest: buffer.slice(at + 4, end) }; }",
      },
    ],
    checks: [
      {
        test: "cuts a head at the empty line",
        zh: "不管读取在哪里切开，都要在第一个空行处切出头部，并保留其后已经读到的字节",
        hint: 3,
      },
      { test: "cut into any reads", zh: "任意头部、任意切法，都要找到空行", hint: 3 },
      {
        test: "exactly the limit",
        zh: "恰好 maxBytes 字节的头部可以接受；多一个字节就抛 LimitError",
        hint: 4,
      },
      {
        test: "never ends its head",
        zh: "对方一直不发空行：读满 maxBytes 就停止并抛 LimitError，一个字节也不多读",
        hint: 2,
      },
      { test: "before any byte", zh: "一个字节都没收到流就结束了：返回 null", hint: 4 },
      {
        test: "inside the head",
        zh: "头部读到一半流就结束了：抛 UnexpectedEofError",
        hint: 4,
      },
    ],
  },
  {
    id: "01c",
    file: "01_fetch_page/c_content_length.ts",
    goal: {
      en: "honour Content-Length: read exactly that many bytes, not one more, and no close needed",
      zh: "遵守 Content-Length：正好读这么多字节，不多读一个，也不等连接关闭",
    },
    tests: TESTS,
    hints: [
      {
        en: "Python's sock.recv_into(view) reads into memory you give it; Deno's conn.read(p) " +
          "always does (https://docs.deno.com/api/deno/~/Deno.Conn#method_read). " +
          "body.subarray(got) is the part of `body` still empty; read() returns n, or null " +
          "when the server has closed.",
        zh: "Python 的 sock.recv_into(view) 把数据读进你给的内存；Deno 的 conn.read(p) 总是这样做" +
          "（https://docs.deno.com/api/deno/~/Deno.Conn#method_read）。body.subarray(got) " +
          "就是 body 里还空着的部分；read() 返回 n，服务器关闭后返回 null。",
      },
      {
        en: "Loop while got < length: read into body.subarray(got), then got += n. A read into " +
          "that view cannot take more than what is missing, so the bytes after the body stay " +
          "unread; and with length 0 the loop never reads at all.",
        zh:
          "当 got < length 时循环：读进 body.subarray(got)，然后 got += n。读进这个视图的字节不可能超过还缺的数量，" +
          "所以正文之后的字节不会被读走；length 为 0 时循环一次都不读。",
      },
      {
        en: "null before got reaches length: the server closed early. Throw an " +
          "UnexpectedEofError saying `${got} of ${length} bytes`; returning would save a page " +
          "that ends in zeros.",
        zh: "got 还没到 length 就读到 null：服务器提前关闭了。抛出 UnexpectedEofError，写明 " +
          "`${got} of ${length} bytes`；直接返回的话，保存下来的页面末尾全是 0。",
      },
      {
        en:
          "let got = 0; while (got < length) { const n = await reader.read(body.subarray(got)); " +
          "if (n === null) throw new UnexpectedEofError(`the body was cut off after ${got} of " +
          "${length} bytes`); got += n; }",
        zh:
          "let got = 0; while (got < length) { const n = await reader.read(body.subarray(got)); " +
          "if (n === null) throw new UnexpectedEofError(`the body was cut off after ${got} of " +
          "${length} bytes`); got += n; }",
      },
    ],
    checks: [
      {
        test: "past its Content-Length",
        zh: "只要 Content-Length 个字节：服务器多发的字节不属于这个页面",
        hint: 2,
      },
      {
        test: "exactly that length",
        zh: "读满 Content-Length 个字节就返回，不等服务器关闭连接",
        hint: 2,
      },
      { test: "Content-Length: 0", zh: "Content-Length: 0 时一次都不读，立刻返回空正文", hint: 2 },
      {
        test: "cut short by the close",
        zh: "字节还没收齐连接就关了：抛 UnexpectedEofError，而不是返回半个页面",
        hint: 3,
      },
      {
        test: "over maxBytes before reading",
        zh: "Content-Length 超过 maxBytes：在读之前就拒绝（LimitError）",
        hint: 1,
      },
    ],
  },
  {
    id: "01d",
    file: "01_fetch_page/d_chunked.ts",
    goal: {
      en: "decode a chunked body and stop right after its last chunk",
      zh: "解码分块（chunked）正文，收到最后一块就停止",
    },
    tests: TESTS,
    hints: [
      {
        en: "Read the ChunkedDecoder in lessons/01_fetch_page/chunked.ts: push(bytes) returns " +
          "the body bytes found in them (sizes removed), `done` turns true after the size-0 " +
          "chunk, finish() throws if the stream ended before it. reads(reader) in " +
          "3_content_length.ts yields each read: the tutorial's recv() loop (RFC 9112 §7.1).",
        zh:
          "读一下 lessons/01_fetch_page/chunked.ts 里的 ChunkedDecoder：push(bytes) 返回其中的正文字节" +
          "（大小已去掉），收到大小为 0 的块后 done 变为 true，流在那之前结束时 finish() 会抛错。" +
          "3_content_length.ts 里的 reads(reader) 逐次给出每次读到的字节，就是教程里的 recv() 循环（RFC 9112 §7.1）。",
      },
      {
        en: "Loop over reads(reader) with for await. Give each read to decoder.push() and add " +
          "every piece it returns to `body` with body.add(), which copies it: the read buffer " +
          "is reused by the next read.",
        zh:
          "用 for await 遍历 reads(reader)。把每次读到的字节交给 decoder.push()，再用 body.add() " +
          "把它返回的每一段加进 body；body.add() 会复制，因为读取用的 buffer 下一次还会被覆盖。",
      },
      {
        en: "After each push, break out of the loop if decoder.done: the server may keep the " +
          "connection open, and another read would wait for it. After the loop, call " +
          "decoder.finish(): if the loop ended because the stream did, it throws " +
          "UnexpectedEofError.",
        zh:
          "每次 push 之后，如果 decoder.done 就跳出循环：服务器可能不关闭连接，再读一次就会一直等下去。" +
          "循环结束后调用 decoder.finish()：如果循环是因为流结束才停的，它会抛出 UnexpectedEofError。",
      },
      {
        en: "for await (const bytes of reads(reader)) { for (const piece of decoder.push(bytes)) " +
          "body.add(piece); if (decoder.done) break; } decoder.finish();",
        zh: "for await (const bytes of reads(reader)) { for (const piece of decoder.push(bytes)) " +
          "body.add(piece); if (decoder.done) break; } decoder.finish();",
      },
    ],
    checks: [
      {
        test: "decodes a chunked body exactly",
        zh: "不管读取怎么切，都要去掉十六进制的块大小，得到原来的页面",
        hint: 2,
      },
      {
        test: "after a chunked body's last chunk",
        zh: "收到大小为 0 的最后一块就停止读取，即使服务器不关闭连接",
        hint: 3,
      },
      {
        test: "cut off before its last chunk",
        zh: "最后一块还没到连接就关了：抛 UnexpectedEofError，而不是返回半个页面",
        hint: 3,
      },
      { test: "chunked body over maxBytes", zh: "正文超过 maxBytes：拒绝（LimitError）", hint: 2 },
    ],
  },
  {
    id: "01e",
    file: "01_fetch_page/e_max_bytes.ts",
    goal: {
      en: "limits: refuse a body over --max-bytes, and stop reading there",
      zh: "限制：正文超过 --max-bytes 就拒绝，并且不再继续读",
    },
    tests: TESTS,
    hints: [
      {
        en: "The tutorial's while True: d = s.recv(...) keeps whatever comes; so does Python's " +
          "f.read() of a socket file. The error to throw is LimitError from lib/errors.ts: " +
          "new LimitError(message, hint). `deno task 01 URL --max-bytes N` passes N in as maxBytes.",
        zh:
          "教程里的 while True: d = s.recv(...) 来多少收多少。这里要抛的错误是 lib/errors.ts 里的 " +
          "LimitError：new LimitError(message, hint)。`deno task 01 URL --max-bytes N` 会把 N 作为 maxBytes 传进来。",
      },
      {
        en: "Keep a running total of n and test it right after each read, before keeping the " +
          "piece: a check after the loop would come only once everything had been read and kept.",
        zh:
          "累加每次读到的 n，并且每次读完、保存之前就检查：放在循环之后检查的话，所有字节早已读完并保存了。",
      },
      {
        en: "Compare with >, not >=: a body of exactly maxBytes is allowed, maxBytes + 1 is not.",
        zh: "用 > 比较，不要用 >=：正好 maxBytes 字节是允许的，maxBytes + 1 才不行。",
      },
      {
        en: "let total = 0; for (let n; (n = await reader.read(buffer)) !== null;) { total += n; " +
          "if (total > maxBytes) throw new LimitError(`the body is longer than ${maxBytes} " +
          'bytes`, "raise --max-bytes to save it"); pieces.push(buffer.slice(0, n)); }',
        zh: "let total = 0; for (let n; (n = await reader.read(buffer)) !== null;) { total += n; " +
          "if (total > maxBytes) throw new LimitError(`the body is longer than ${maxBytes} " +
          'bytes`, "raise --max-bytes to save it"); pieces.push(buffer.slice(0, n)); }',
      },
    ],
    checks: [
      {
        test: "everything until the server closes",
        zh: "没有长度也没有分块时，正文就是服务器关闭前发来的全部字节",
        hint: 1,
      },
      { test: "exactly maxBytes", zh: "正好 maxBytes 字节要保存；多一个字节就拒绝", hint: 3 },
      {
        test: "8 MiB more",
        zh: "超过 maxBytes 就立刻抛 LimitError，不再继续读服务器剩下的字节",
        hint: 2,
      },
    ],
  },
];
