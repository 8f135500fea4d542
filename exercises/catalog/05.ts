/**
 * Lesson 05's exercises: sticky and half packets, then both fixes, each
 * with the limit a stranger's bytes call for.
 *
 * @module
 */

import type { Exercise } from "../catalog.ts";

const LESSON = "tests/05_framing.test.ts";
const CODEC = "tests/05_framing_frame_codec.test.ts";
const HOSTILE = "tests/hostile/05_framing.test.ts";

/** Lesson 05's exercises, in order. */
export const EXERCISES_05: readonly Exercise[] = [
  {
    id: "05a",
    file: "05_framing/a_sticky.ts",
    goal: {
      en: "the blog post's experiment: three sends, then read until the end, and see one read",
      zh: "博客里的实验：连发三次，再一直读到结束，看到只读了一次",
    },
    tests: [LESSON],
    hints: [
      {
        en: "Python's client.send(data) is client.write(bytes) in Deno " +
          "(https://docs.deno.com/api/deno/~/Deno.Conn#method_write); conn.recv(1024) is " +
          "conn.read(buffer) (https://docs.deno.com/api/deno/~/Deno.Conn#method_read), which " +
          "returns how many bytes it put into buffer, or null at the end of the stream.",
        zh: "Python 的 client.send(data) 在 Deno 里是 client.write(bytes)" +
          "（https://docs.deno.com/api/deno/~/Deno.Conn#method_write）；conn.recv(1024) 是 " +
          "conn.read(buffer)（https://docs.deno.com/api/deno/~/Deno.Conn#method_read），" +
          "它返回这次放进 buffer 的字节数，流结束时返回 null。",
      },
      {
        en: "The server's loop ends only when read() returns null, and that happens only once " +
          "the client has said it will send no more: client.closeWrite() (Python: " +
          "client.shutdown(socket.SHUT_WR)). Without it the loop waits for ever.",
        zh: "服务器的循环只有在 read() 返回 null 时才结束，而这要等客户端表明不再发送：" +
          "client.closeWrite()（Python：client.shutdown(socket.SHUT_WR)）。" +
          "少了这一步，循环会一直等下去。",
      },
      {
        en: "Decode only what this read filled: decoder.decode(buffer.subarray(0, n)). " +
          "Decoding the whole buffer adds up to 1024 NUL characters (\\x00) to each string.",
        zh: "只解码这次读到的部分：decoder.decode(buffer.subarray(0, n))。" +
          "解码整个 buffer 会让每个字符串多出最多 1024 个 NUL（\\x00）。",
      },
      {
        en: "for (const m of messages) await client.write(encoder.encode(m)); " +
          "await client.closeWrite(); while (true) { const n = await conn.read(buffer); " +
          "if (n === null) break; received.push(decoder.decode(buffer.subarray(0, n))); }",
        zh: "for (const m of messages) await client.write(encoder.encode(m)); " +
          "await client.closeWrite(); while (true) { const n = await conn.read(buffer); " +
          "if (n === null) break; received.push(decoder.decode(buffer.subarray(0, n))); }",
      },
    ],
    checks: [
      {
        test: "three sends, one recv()",
        zh: "分三次发送的 hello、sticky、packets 在一次 recv() 里全部读到",
        hint: 1,
      },
      {
        test: "one string per read",
        zh: "每次读取得到一个字符串，只含读到的字节：2100 字节读成 1024 + 1024 + 52",
        hint: 3,
      },
    ],
  },
  {
    id: "05b",
    file: "05_framing/b_read_exactly.ts",
    goal: {
      en: "readExactly: keep reading until n bytes have come (a half packet made whole)",
      zh: "readExactly：一直读，直到凑满 n 个字节（把半包拼完整）",
    },
    tests: [LESSON],
    hints: [
      {
        en: "The Python is in the file's header: recv_exactly. conn.read(p) fills the start " +
          "of p and returns how many bytes (https://docs.deno.com/api/deno/~/Deno.Conn#method_read; " +
          "Reader in lib/io.ts). One read may return fewer bytes than asked: that is the half packet.",
        zh:
          "文件开头就是对应的 Python：recv_exactly。conn.read(p) 从 p 的开头填入数据并返回字节数" +
          "（https://docs.deno.com/api/deno/~/Deno.Conn#method_read；lib/io.ts 里的 Reader）。" +
          "一次读取拿到的可能比要的少：这就是半包。",
      },
      {
        en: "Read into bytes.subarray(filled), the part still empty: a read then can neither " +
          "overwrite what came before nor take the next message's bytes. Add what it returned " +
          "to filled, and loop while filled < n.",
        zh: "读进 bytes.subarray(filled)，也就是还空着的那一段：这样既不会覆盖已经读到的，" +
          "也不会多拿下一条消息的字节。把返回值加到 filled 上，filled < n 就继续循环。",
      },
      {
        en: "read() returning null is the end of the stream. If filled is still 0, the peer " +
          "closed between two messages: return null. Otherwise the message was cut off: throw " +
          "new UnexpectedEofError(`the stream ended after ${filled} of ${n} bytes`).",
        zh:
          "read() 返回 null 表示流结束了。如果 filled 还是 0，说明对方在两条消息之间关闭：返回 null。" +
          "否则消息被截断了：throw new UnexpectedEofError(`the stream ended after ${filled} of ${n} bytes`)。",
      },
      {
        en: "while (filled < n) { const got = await conn.read(bytes.subarray(filled)); " +
          "if (got === null) break; filled += got; } if (filled === n) return bytes; " +
          "if (filled === 0) return null; throw new UnexpectedEofError(`...`);",
        zh: "while (filled < n) { const got = await conn.read(bytes.subarray(filled)); " +
          "if (got === null) break; filled += got; } if (filled === n) return bytes; " +
          "if (filled === 0) return null; throw new UnexpectedEofError(`...`);",
      },
    ],
    checks: [
      {
        test: "gathers n bytes",
        zh: "分 1、2、2 字节到达的 5 个字节要拼成一个整体，下一条消息的字节留给下一次调用",
        hint: 2,
      },
      {
        test: "ends part-way",
        zh: "流在第一个字节之前结束返回 null，读到一半结束要抛出 UnexpectedEofError",
        hint: 3,
      },
      { test: "100 KiB write", zh: "一次写入的 100 KiB 要完整读回来", hint: 1 },
    ],
  },
  {
    id: "05c",
    file: "05_framing/c_frame_header.ts",
    goal: {
      en: "the 4-byte big-endian length header, struct.pack('!I', n), and back",
      zh: "4 字节大端长度头：struct.pack('!I', n)，以及反过来解析",
    },
    tests: [CODEC],
    hints: [
      {
        en: "struct.pack('!I', n): '!' is big-endian, 'I' an unsigned 4-byte integer. A DataView " +
          "writes numbers into bytes: look up DataView.prototype.setUint32 " +
          "(https://developer.mozilla.org/docs/Web/JavaScript/Reference/Global_Objects/DataView/setUint32); " +
          "its third argument, littleEndian, is false unless you pass true.",
        zh:
          "struct.pack('!I', n)：'!' 表示大端，'I' 表示 4 字节无符号整数。DataView 可以把数字写成字节：" +
          "查一下 DataView.prototype.setUint32" +
          "（https://developer.mozilla.org/docs/Web/JavaScript/Reference/Global_Objects/DataView/setUint32）；" +
          "它的第三个参数 littleEndian 不传就是 false。",
      },
      {
        en: "Back again is getUint32(offset) on a DataView. By hand it is (b[0] << 24) | " +
          "(b[1] << 16) | (b[2] << 8) | b[3], but JavaScript's << and | work on signed 32-bit " +
          "numbers: a first byte of 0x80 or more comes out negative unless you end with >>> 0.",
        zh: "反过来用 DataView 的 getUint32(offset)。手写的话是 (b[0] << 24) | (b[1] << 16) | " +
          "(b[2] << 8) | b[3]，但 JavaScript 的 << 和 | 按有符号 32 位整数计算：第一个字节大于等于 " +
          "0x80 时结果会变成负数，最后要加上 >>> 0。",
      },
      {
        en: "bytes may be a view into a larger buffer (a subarray): new DataView(bytes.buffer) " +
          "starts at that buffer's first byte, not the view's. Pass bytes.byteOffset as well.",
        zh: "bytes 可能只是一个更大缓冲区的视图（subarray）：new DataView(bytes.buffer) " +
          "是从整个缓冲区的第一个字节开始的，不是从视图开始。要把 bytes.byteOffset 也传进去。",
      },
      {
        en: "new DataView(header.buffer).setUint32(0, length); … " +
          "return new DataView(bytes.buffer, bytes.byteOffset).getUint32(offset);",
        zh: "new DataView(header.buffer).setUint32(0, length); … " +
          "return new DataView(bytes.buffer, bytes.byteOffset).getUint32(offset);",
      },
    ],
    checks: [
      { test: "most significant first", zh: "5 是 00 00 00 05：高位字节在前（大端）", hint: 1 },
      {
        test: "never negative",
        zh: "从任意偏移、从更大缓冲区的视图里读出 4 字节长度，且永远不是负数",
        hint: 2,
      },
      { test: "round trip", zh: "0 到 4 GiB - 1 的每个长度写进去再读出来都不变", hint: 2 },
    ],
  },
  {
    id: "05d",
    file: "05_framing/d_frame_limit.ts",
    goal: {
      en: "receive a frame, refusing a header over --max-frame before allocating anything",
      zh: "接收一帧：长度头超过 --max-frame 时，在分配任何内存之前就拒绝",
    },
    tests: [CODEC, LESSON, HOSTILE],
    hints: [
      {
        en:
          "Between Python's (n,) = struct.unpack('!I', header) and data = recv_exactly(sock, n) " +
          "goes the line the tutorials leave out: compare n with the limit. The length is a number " +
          "a stranger chose, and readExactly(conn, length) allocates `length` bytes at once, then " +
          "waits for them. headerOverLimit(length, max) (lessons/05_framing/3_length_prefix.ts) " +
          "makes the error to throw.",
        zh:
          "在 Python 的 (n,) = struct.unpack('!I', header) 和 data = recv_exactly(sock, n) 之间，" +
          "要加上教程漏掉的那一行：把 n 和上限比较。长度是陌生人给的数字，而 " +
          "readExactly(conn, length) 会立刻分配 length 个字节，然后等它们到达。" +
          "headerOverLimit(length, max)（lessons/05_framing/3_length_prefix.ts）会生成要抛出的错误。",
      },
      {
        en: "After the check, the payload is readExactly(conn, length), the Python " +
          "recv_exactly(sock, n); it gathers the bytes however the reads cut them. It returns " +
          "null when the stream ended before the first byte: here that is an error, the header " +
          "promised bytes, so throw an UnexpectedEofError.",
        zh: "检查之后，负载就是 readExactly(conn, length)，对应 Python 的 recv_exactly(sock, n)；" +
          "不管读取怎么切分它都能凑齐。如果在第一个字节之前流就结束了它会返回 null：" +
          "在这里这是错误（头部承诺了这些字节），要抛出 UnexpectedEofError。",
      },
      {
        en: "if (length > max) throw headerOverLimit(length, max); " +
          "const payload = await readExactly(conn, length); " +
          'if (payload === null) throw new UnexpectedEofError("the stream ended after a frame header"); ' +
          "return payload;",
        zh: "if (length > max) throw headerOverLimit(length, max); " +
          "const payload = await readExactly(conn, length); " +
          'if (payload === null) throw new UnexpectedEofError("the stream ended after a frame header"); ' +
          "return payload;",
      },
    ],
    checks: [
      {
        test: "without another read",
        zh: "长度超限的头部要立刻拒绝，之后不能再读",
        hint: 1,
      },
      {
        test: "however the reads are cut",
        zh: "不管读取怎么切分，帧都要完整收到；流在帧中间结束要抛出 UnexpectedEofError",
        hint: 2,
      },
      {
        test: "4 GiB header at once",
        zh: "服务器收到 4 GiB 的长度头要马上关闭这个连接，并继续服务下一个客户端",
        hint: 1,
      },
      {
        test: "0xFFFFFFFF",
        zh: "长度头 0xFFFFFFFF：连接被关闭，什么也不分配",
        hint: 1,
      },
      {
        test: "1 MiB with no delimiter",
        zh: "1 MiB 的 x：开头 4 个字节被当成 2021161080 的长度，在头部就被拒绝",
        hint: 1,
      },
    ],
  },
  {
    id: "05e",
    file: "05_framing/e_line_limit.ts",
    goal: {
      en: "a line reader: split on \\n however the reads cut, and refuse a line over maxLine",
      zh: "按行读取：不管读取怎么切分都按 \\n 分行，并拒绝超过 maxLine 的行",
    },
    tests: [LESSON],
    hints: [
      {
        en: "The Python loop is in lessons/05_framing/4_delimiter.ts: buffer += sock.recv(1024); " +
          "while b'\\n' in buffer: line, buffer = buffer.split(b'\\n', 1). Here: conn.read(buffer), " +
          "concatBytes([pending, buffer.subarray(0, n)]) from lib/io.ts, and pending.indexOf(NEWLINE) " +
          "(https://developer.mozilla.org/docs/Web/JavaScript/Reference/Global_Objects/TypedArray/indexOf).",
        zh:
          "对应的 Python 循环在 lessons/05_framing/4_delimiter.ts 里：buffer += sock.recv(1024)；" +
          "while b'\\n' in buffer: line, buffer = buffer.split(b'\\n', 1)。这里对应 conn.read(buffer)、" +
          "lib/io.ts 的 concatBytes([pending, buffer.subarray(0, n)])，以及 pending.indexOf(NEWLINE)" +
          "（https://developer.mozilla.org/docs/Web/JavaScript/Reference/Global_Objects/TypedArray/indexOf）。",
      },
      {
        en: "After each read, take lines out while pending holds a NEWLINE: yield " +
          "pending.slice(0, end) and keep pending.subarray(end + 1). Split on the byte, never " +
          "decode a read: a read can end in the middle of é, a line cannot.",
        zh: "每次读取之后，只要 pending 里还有 NEWLINE 就取出一行：yield pending.slice(0, end)，" +
          "留下 pending.subarray(end + 1)。按字节切分，不要解码单次读取的内容：" +
          "一次读取可能在 é 的中间结束，一行不会。",
      },
      {
        en: "Check the limit as the bytes arrive: a line found longer than maxLine is refused, " +
          "and so is what is left in pending after the lines are taken out (the start of the " +
          "next line) once it is over maxLine: throw a LimitError now; waiting for a \\n that " +
          "may never come is what the limit prevents.",
        zh: "字节一到就检查上限：找到的完整行超过 maxLine 要拒绝；取出完整的行之后，pending " +
          "里剩下的是下一行的开头，它一超过 maxLine 也要马上抛出 LimitError。" +
          "限制就是为了不去等一个可能永远不来的 \\n。",
      },
      {
        en: "while (true) { const n = await conn.read(buffer); if (n === null) break; " +
          "pending = concatBytes([pending, buffer.subarray(0, n)]); " +
          "for (let end; (end = pending.indexOf(NEWLINE)) !== -1; pending = pending.subarray(end + 1)) " +
          "{ if (end > maxLine) throw new LimitError(`...`); yield pending.slice(0, end); } " +
          "if (pending.length > maxLine) throw new LimitError(`...`); } " +
          "if (pending.length > 0) throw new UnexpectedEofError(`...`);",
        zh: "while (true) { const n = await conn.read(buffer); if (n === null) break; " +
          "pending = concatBytes([pending, buffer.subarray(0, n)]); " +
          "for (let end; (end = pending.indexOf(NEWLINE)) !== -1; pending = pending.subarray(end + 1)) " +
          "{ if (end > maxLine) throw new LimitError(`...`); yield pending.slice(0, end); } " +
          "if (pending.length > maxLine) throw new LimitError(`...`); } " +
          "if (pending.length > 0) throw new UnexpectedEofError(`...`);",
      },
    ],
    checks: [
      {
        test: "finds each line",
        zh: "不管读取在哪里切开（包括 é 的中间），每一行都要完整找到",
        hint: 2,
      },
      {
        test: "refuses one more",
        zh: "正好 maxLine 字节的行可以接受；多一个字节时，不等 \\n 到来就拒绝",
        hint: 3,
      },
      {
        test: "ends inside a line",
        zh: "流在一行的中间结束（没有 \\n）要抛出 UnexpectedEofError",
        hint: 4,
      },
    ],
  },
];
