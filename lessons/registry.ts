/**
 * The list of lessons, in teaching order. The tour, the README's lesson table,
 * the per-lesson tasks in deno.json (checked by a test) and the exercise
 * runner all read this one list: to add a lesson, add it here.
 *
 * @module
 */

import type { LessonCli } from "../lib/cli.ts";

/** What every lesson module exports: its command line, whose `demo` the tour runs. */
export interface LessonModule {
  /** The lesson's declared command line (see `lib/cli.ts`). */
  cli: LessonCli;
}

/** One lesson: where it lives, what it teaches, what it may touch. */
export interface Lesson {
  /** Two digits, the order of teaching: `"03"`. Also the name of its deno task. */
  id: string;
  /** The file in `lessons/` (and `exercises/`). */
  file: string;
  /** A short title. */
  title: string;
  /** One sentence: what a learner takes away. */
  teaches: string;
  /** The tutorial example it follows. */
  tutorial: string;
  /** Exactly the `deno run` permission flags its task grants. */
  permissions: readonly string[];
  /** Loads the lesson module (a static import, so it is type-checked). */
  load(): Promise<LessonModule>;
  /**
   * The same title, sentence and tutorial reference in Chinese, for the lesson
   * table in README.zh-CN.md. Optional in the type so a lesson can be drafted
   * without it, but a test requires it of every lesson in the list.
   */
  zh?: LessonZh;
}

/** A lesson's table entry in Chinese (README.zh-CN.md), written for a Chinese reader. */
export interface LessonZh {
  /** The title: `"TCP hello 服务器"`. */
  title: string;
  /** What a learner takes away, in the tutorials' own terms (套接字, 粘包, 半包 ...). */
  teaches: string;
  /** The tutorial example it follows: `"《25.Python 网络编程：TCP和UDP编程》示例 5：server6.py 和 client6.py"`. */
  tutorial: string;
}

/** One of the Python tutorials the lessons follow, as a learner can look it up. */
export interface Tutorial {
  /** Its title, as published. */
  title: string;
  /** Who wrote it, or where it is published. */
  by: string;
  /** Where to find it, when known. */
  url?: string;
}

/** The tutorials the lessons follow (in Chinese). The lessons name them by title and author. */
export const TUTORIALS: readonly Tutorial[] = [
  {
    title: "TCP编程 (and UDP编程)",
    by: "Liao Xuefeng's Python tutorial (廖雪峰的官方网站), often reposted",
    url:
      "http://www.liaoxuefeng.com/wiki/0014316089557264a6b348958f449949df42a6d3a2e542c000/001432004374523e495f640612f4b08975398796939ec3c000",
  },
  {
    title: "一、Socket概念 二、套接字的发展史及分类 三、Socket的使用语法格式 … 黏包现象",
    by: "an unsigned blog post, reposted (its sections 半连接池 and 黏包现象)",
  },
  {
    title: "TCP/IP协议 计算机间的通讯,传输、socket 传输通道",
    by: "Ting-light on cnblogs",
    url: "https://www.cnblogs.com/Ting-light/p/9548121.html",
  },
  { title: "Socket网络编程学习笔记", by: "呆贝斯 (January 2023)" },
  {
    title: "25.Python 网络编程：TCP和UDP编程",
    by: "Alibaba Cloud developer community (阿里云开发者社区)",
  },
];

/** Every lesson, in order. */
export const LESSONS: readonly Lesson[] = [
  {
    id: "01",
    file: "01_fetch_page.ts",
    title: "Fetch a web page over a raw TCP socket",
    teaches:
      "connect, send a hand-written HTTP request, read until EOF; split the head, decode chunked bodies, TLS, save atomically",
    tutorial:
      "Liao Xuefeng, «TCP编程» (sina.html); «25.Python 网络编程：TCP和UDP编程», example 2 (baidu.html)",
    permissions: ["--allow-net", "--allow-read=.", "--allow-write=.", "--allow-run=tcpdump"],
    load: () => import("./01_fetch_page.ts"),
    zh: {
      title: "用原始 TCP 套接字抓取网页",
      teaches:
        "connect，发送手写的 HTTP 请求，一直读到 EOF；拆开响应头和正文，解码 chunked 正文，TLS，原子地保存文件",
      tutorial:
        "廖雪峰《TCP编程》（sina.html）；《25.Python 网络编程：TCP和UDP编程》示例 2（baidu.html）",
    },
  },
  {
    id: "02",
    file: "02_hello_http.ts",
    title: "Hello World for a browser",
    teaches:
      "answer a browser from a raw socket: read the whole request head, Content-Type, Content-Length in bytes, 400/431/505",
    tutorial: "«25.Python 网络编程：TCP和UDP编程», example 1: Hello World on port 12345",
    permissions: ["--allow-net=127.0.0.1", "--allow-run=tcpdump", "--allow-write=.tmp"],
    load: () => import("./02_hello_http.ts"),
    zh: {
      title: "给浏览器的 Hello World",
      teaches:
        "用原始套接字应答浏览器：读完整个请求头，Content-Type，按字节计算的 Content-Length，400/431/505",
      tutorial: "《25.Python 网络编程：TCP和UDP编程》示例 1：12345 端口上的 Hello World 页面",
    },
  },
  {
    id: "03",
    file: "03_tcp_hello.ts",
    title: "TCP hello server",
    teaches: "bind, listen, accept, recv, send; many clients at once without threads",
    tutorial: "Liao Xuefeng, «TCP编程»: the threaded `tcplink` server and its client",
    permissions: ["--allow-net=127.0.0.1", "--allow-run=tcpdump", "--allow-write=.tmp"],
    load: () => import("./03_tcp_hello.ts"),
    zh: {
      title: "TCP hello 服务器",
      teaches: "bind、listen、accept、recv、send；不开线程也能同时服务多个客户端",
      tutorial: "廖雪峰《TCP编程》：多线程的 `tcplink` 服务器及其客户端",
    },
  },
  {
    id: "04",
    file: "04_udp_hello.ts",
    title: "UDP hello",
    teaches: "sendto and recvfrom; datagrams, no connection, and timeouts with retries",
    tutorial: "Liao Xuefeng, «UDP编程», via 呆贝斯 «Socket网络编程学习笔记»; «25.Python 网络编程»",
    permissions: ["--allow-net=127.0.0.1,[::1]", "--allow-run=tcpdump", "--allow-write=.tmp"],
    load: () => import("./04_udp_hello.ts"),
    zh: {
      title: "UDP 版 hello",
      teaches: "sendto 和 recvfrom；数据报、无连接，以及超时与重试",
      tutorial: "呆贝斯《Socket网络编程学习笔记》与《25.Python 网络编程》：UDP 服务器和客户端",
    },
  },
  {
    id: "05",
    file: "05_framing.ts",
    title: "Sticky packets, half packets and framing",
    teaches:
      "TCP is a byte stream: writes merge (粘包) and split (半包); a length prefix or a delimiter puts message boundaries back",
    tutorial: "the blog post «Socket概念…黏包现象»; 呆贝斯, «Socket网络编程学习笔记» (粘包, 半包)",
    permissions: ["--allow-net=127.0.0.1", "--allow-run=tcpdump", "--allow-write=.tmp"],
    load: () => import("./05_framing.ts"),
    zh: {
      title: "粘包、半包与消息分帧",
      teaches:
        "TCP 是字节流：几次写入会粘在一起（粘包），一次写入也会被拆开（半包）；用长度前缀或分隔符找回消息边界",
      tutorial: "博文《Socket概念…黏包现象》；呆贝斯《Socket网络编程学习笔记》（粘包、半包）",
    },
  },
  {
    id: "06",
    file: "06_factorial_udp.ts",
    title: "Factorial over UDP",
    teaches: "strict input, a limit derived from the datagram size, retries through a lossy link",
    tutorial: "«25.Python 网络编程：TCP和UDP编程», example 5: server6.py and client6.py",
    permissions: ["--allow-net=127.0.0.1,[::1]", "--allow-run=tcpdump", "--allow-write=.tmp"],
    load: () => import("./06_factorial_udp.ts"),
    zh: {
      title: "UDP 上的阶乘计算",
      teaches: "严格校验输入，由数据报大小推出数值上限，在会丢包的链路上重试",
      tutorial: "《25.Python 网络编程：TCP和UDP编程》示例 5：server6.py 和 client6.py",
    },
  },
  {
    id: "07",
    file: "07_chat.ts",
    title: "Chat: turn-based, then full duplex",
    teaches:
      "input() then recv() takes turns; two loops over one connection don't; a relay for many clients",
    tutorial:
      "«25.Python 网络编程», example 3 (server3.py/client3.py, esc); the chat of «Socket概念…黏包现象»",
    permissions: ["--allow-net=127.0.0.1", "--allow-run=tcpdump", "--allow-write=.tmp"],
    load: () => import("./07_chat.ts"),
    zh: {
      title: "聊天：先一问一答，再全双工",
      teaches:
        "先 input() 再 recv() 只能轮流说话；同一条连接上跑两个循环就不必轮流；为多个客户端转发消息",
      tutorial:
        "《25.Python 网络编程》示例 3（server3.py/client3.py，输入 esc 退出）；博文《Socket概念…黏包现象》的聊天程序",
    },
  },
  {
    id: "08",
    file: "08_unix_sockets.ts",
    title: "Unix domain sockets",
    teaches:
      "AF_UNIX: the lesson 03 handler over a socket file; stale files, file permissions, speed vs TCP measured",
    tutorial: "«Socket概念…黏包现象» and 呆贝斯's notes: the AF_UNIX socket family",
    permissions: [
      "--allow-net=127.0.0.1,unix:$PWD/.tmp/08_hello.sock,unix:$PWD/.tmp/08_demo.sock",
      "--allow-read=.tmp",
      "--allow-write=.tmp",
      "--allow-run=tcpdump",
    ],
    load: () => import("./08_unix_sockets.ts"),
    zh: {
      title: "Unix 域套接字",
      teaches:
        "AF_UNIX：把第 03 课的处理函数搬到套接字文件上；残留的套接字文件、文件权限，实测与 TCP 的速度对比",
      tutorial: "博文《Socket概念…黏包现象》与呆贝斯的笔记：AF_UNIX 套接字家族",
    },
  },
  {
    id: "09",
    file: "09_ports_backlog.ts",
    title: "Ports, addresses and the backlog",
    teaches:
      "port taken, TCP+UDP on one port, TIME_WAIT and SO_REUSEADDR, the backlog, 127.0.0.1/0.0.0.0/::1, all measured",
    tutorial:
      "«Socket概念…黏包现象»: SO_REUSEADDR, listen(5) (半连接池); 呆贝斯: TCP and UDP on 9999",
    permissions: [
      "--allow-net=127.0.0.1,127.0.0.2,0.0.0.0,[::1],[::]",
      "--allow-run=ss,sysctl,nstat,tcpdump",
      "--allow-write=.tmp",
    ],
    load: () => import("./09_ports_backlog.ts"),
    zh: {
      title: "端口、地址与 backlog",
      teaches:
        "端口被占用，TCP 和 UDP 共用一个端口，TIME_WAIT 与 SO_REUSEADDR，backlog，127.0.0.1/0.0.0.0/::1，全部实测",
      tutorial:
        "博文《Socket概念…黏包现象》：SO_REUSEADDR 与 listen(5)（半连接池）；呆贝斯：TCP 和 UDP 同时用 9999 端口",
    },
  },
];

/** The lesson with this id, or `undefined`. */
export function findLesson(id: string): Lesson | undefined {
  return LESSONS.find((lesson) => lesson.id === id.padStart(2, "0"));
}
