/**
 * Lesson 08's exercises: lesson 03's server and client over a Unix domain socket.
 *
 * @module
 */

import type { Exercise } from "../catalog.ts";

const TESTS = ["tests/08_unix_sockets.test.ts"];

/** Lesson 08's exercises, in order. */
export const EXERCISES_08: readonly Exercise[] = [
  {
    id: "08a",
    file: "08_unix_sockets/a_listen.ts",
    goal: {
      en: "listen on a socket file instead of a host and port",
      zh: "在一个套接字文件上监听，而不是在主机和端口上",
    },
    tests: TESTS,
    hints: [
      {
        en: "Python's s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(path); " +
          "s.listen() is one call in Deno: Deno.listen (https://docs.deno.com/api/deno/~/Deno.listen), " +
          "its overload for Unix sockets (Deno.UnixListenOptions).",
        zh: "Python 的 s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(path); " +
          "s.listen() 在 Deno 里是一次调用：Deno.listen（https://docs.deno.com/api/deno/~/Deno.listen）" +
          "用于 Unix 套接字的那个重载（Deno.UnixListenOptions）。",
      },
      {
        en:
          'The options name the transport ("unix") and a path, where TCP has hostname and port. ' +
          "The call fails if anything is at the path already: exercise 08c deals with that.",
        zh: '选项里写传输方式（"unix"）和路径，而不是 TCP 的 hostname 和 port。' +
          "路径上已经有东西时这个调用会失败：那是练习 08c 要处理的事。",
      },
      {
        en: 'return Deno.listen({ transport: "unix", path });',
        zh: 'return Deno.listen({ transport: "unix", path });',
      },
    ],
    checks: [
      {
        test: "makes a socket file",
        zh: "服务器运行时路径上有一个套接字文件（ls -l 显示 s），关闭后文件消失",
        hint: 1,
      },
      {
        test: "carries lesson 03's bytes",
        zh: "套接字上的字节和第 03 课一样：8 字节问候，UTF-8 回复，exit 之后是 EOF",
        hint: 1,
      },
      { test: "speaks lesson 03's protocol", zh: "通过套接字文件完成第 03 课的整段对话", hint: 2 },
      { test: "keeps serving", zh: "一个连接的处理函数出错，服务器照样服务下一个客户端", hint: 1 },
    ],
  },
  {
    id: "08b",
    file: "08_unix_sockets/b_client.ts",
    goal: {
      en: "the client: connect to the socket file and hold lesson 03's conversation",
      zh: "客户端：连接套接字文件，进行第 03 课的对话",
    },
    tests: TESTS,
    hints: [
      {
        en: "Python's s.connect('.tmp/08_hello.sock') on an AF_UNIX socket is Deno.connect " +
          "(https://docs.deno.com/api/deno/~/Deno.connect) with Deno.UnixConnectOptions. It " +
          "resolves to a connection with read, write and close, like a TCP one.",
        zh: "AF_UNIX 套接字上的 Python 语句 s.connect('.tmp/08_hello.sock') 对应 Deno.connect" +
          "（https://docs.deno.com/api/deno/~/Deno.connect），选项是 Deno.UnixConnectOptions。" +
          "它得到的连接和 TCP 连接一样有 read、write 和 close。",
      },
      {
        en:
          "Don't write the conversation again: lesson 03's talkHello(conn, names, log) holds it " +
          "on any Deno.Conn (and refuses a name whose reply would not fit one read). Declare the " +
          "connection with `using` so it is closed when the function returns, and don't catch the " +
          "connect error: the command line puts it in words.",
        zh: "不要把对话再写一遍：第 03 课的 talkHello(conn, names, log) 在任何 Deno.Conn 上都能用" +
          "（回复装不进一次读取的名字它会拒绝）。用 `using` 声明连接，函数返回时它就会关闭；" +
          "也不要捕获 connect 的错误，命令行会把它讲清楚。",
      },
      {
        en: 'using conn = await Deno.connect({ transport: "unix", path }); ' +
          "return await talkHello(conn, names, log);",
        zh: 'using conn = await Deno.connect({ transport: "unix", path }); ' +
          "return await talkHello(conn, names, log);",
      },
    ],
    checks: [
      { test: "speaks lesson 03's protocol", zh: "通过套接字文件完成第 03 课的整段对话", hint: 1 },
      {
        test: "would not fit one read",
        zh: "回复装不进一次 1024 字节读取的名字要被拒绝（LimitError）",
        hint: 2,
      },
      {
        test: "lets Deno's NotFound rise",
        zh: "路径上没有套接字文件时，Deno 的 NotFound 错误要原样抛给调用者",
        hint: 2,
      },
    ],
  },
  {
    id: "08c",
    file: "08_unix_sockets/c_stale_socket.ts",
    goal: {
      en: "remove a stale socket file, and only a stale one",
      zh: "删除残留的套接字文件，而且只删残留的",
    },
    tests: TESTS,
    hints: [
      {
        en: "Python: os.lstat(path) and stat.S_ISSOCK(st.st_mode); os.unlink(path). In Deno: " +
          "Deno.lstat (https://docs.deno.com/api/deno/~/Deno.lstat) gives a Deno.FileInfo with " +
          "isSocket, and throws Deno.errors.NotFound when nothing is there; Deno.remove deletes.",
        zh:
          "Python：os.lstat(path) 和 stat.S_ISSOCK(st.st_mode)；删除用 os.unlink(path)。Deno 里：" +
          "Deno.lstat（https://docs.deno.com/api/deno/~/Deno.lstat）返回带 isSocket 的 " +
          "Deno.FileInfo，路径上什么都没有时抛出 Deno.errors.NotFound；删除用 Deno.remove。",
      },
      {
        en: "A socket file looks the same whether a server is behind it or not: knock. " +
          'Deno.connect({ transport: "unix", path }) succeeds if a server listens (close the ' +
          "knock at once), and fails with Deno.errors.ConnectionRefused if the file is stale.",
        zh: "套接字文件后面有没有服务器，从文件本身看不出来：敲一下门。" +
          'Deno.connect({ transport: "unix", path }) 成功说明有服务器在监听（马上关掉这次连接），' +
          "抛出 Deno.errors.ConnectionRefused 说明文件是残留的。",
      },
      {
        en: "Four cases: nothing there → return; not a socket → throw a LessonError, delete " +
          "nothing; a server answers → throw an AddressInUseError; refused → remove the file and " +
          "log one line. Any other error: let it rise.",
        zh: "四种情况：什么都没有 → 直接返回；不是套接字 → 抛出 LessonError，什么都不删；" +
          "有服务器应答 → 抛出 AddressInUseError；连接被拒绝 → 删除文件并记一行日志。" +
          "其他错误照常抛出。",
      },
      {
        en: 'try { using _knock = await Deno.connect({ transport: "unix", path }); } catch (err) ' +
          "{ if (!(err instanceof Deno.errors.ConnectionRefused)) throw err; await Deno.remove(path); " +
          "log(`Removed a stale socket file at ${path}.`); return; } " +
          'throw new AddressInUseError(`${path} is in use`, "stop that server first");',
        zh: 'try { using _knock = await Deno.connect({ transport: "unix", path }); } catch (err) ' +
          "{ if (!(err instanceof Deno.errors.ConnectionRefused)) throw err; await Deno.remove(path); " +
          "log(`Removed a stale socket file at ${path}.`); return; } " +
          'throw new AddressInUseError(`${path} is in use`, "stop that server first");',
      },
    ],
    checks: [
      {
        test: "removes a stale socket file",
        zh: "没有服务器应答的套接字文件要删掉，新服务器才能绑定这个路径",
        hint: 2,
      },
      {
        test: "leaves a live server's socket file alone",
        zh: "有服务器在监听的套接字文件不能删，要抛出 AddressInUseError",
        hint: 2,
      },
      {
        test: "never deletes a file that is not a socket",
        zh: "路径上是普通文件时绝不能删，要抛出 LessonError",
        hint: 1,
      },
      { test: "nothing at the path", zh: "路径上什么都没有时什么也不做", hint: 1 },
    ],
  },
  {
    id: "08d",
    file: "08_unix_sockets/d_limits.ts",
    goal: {
      en: "limits on the socket file too: refuse the client over the limit, close silent ones",
      zh: "套接字文件上也要有限制：拒绝超出上限的客户端，关闭一直不说话的连接",
    },
    tests: ["tests/hostile/08_unix_sockets.test.ts"],
    hints: [
      {
        en: "Read the options of serve() in lib/serve.ts: maxConnections, idleTimeoutMs and " +
          "refuse. A Unix listener takes them exactly as a TCP one does (lesson 03's limits).",
        zh: "读一下 lib/serve.ts 里 serve() 的选项：maxConnections、idleTimeoutMs 和 refuse。" +
          "Unix 监听器用起来和 TCP 的完全一样（第 03 课的限制）。",
      },
      {
        en: "refuseWith(bytes) from lib/limits.ts makes a `refuse` that writes the bytes and " +
          "closes politely; BUSY is lesson 03's sentence for it.",
        zh:
          "lib/limits.ts 里的 refuseWith(bytes) 会生成一个 refuse：写出这些字节，然后礼貌地关闭；" +
          "BUSY 是第 03 课准备好的那句话。",
      },
      {
        en:
          "serve(listener, handler, { log: options.log, maxConnections: options.maxConnections, " +
          "idleTimeoutMs: options.idleTimeoutMs, refuse: refuseWith(encoder.encode(BUSY)), " +
          "endReadsOnClose: true })",
        zh:
          "serve(listener, handler, { log: options.log, maxConnections: options.maxConnections, " +
          "idleTimeoutMs: options.idleTimeoutMs, refuse: refuseWith(encoder.encode(BUSY)), " +
          "endReadsOnClose: true })",
      },
    ],
    checks: [
      {
        test: "--max-connections",
        zh: "超过连接上限的客户端读到 Busy: ... 然后是 EOF",
        hint: 2,
      },
      { test: "send nothing", zh: "连上却一直不说话的客户端在空闲超时后被关闭", hint: 1 },
    ],
  },
];
