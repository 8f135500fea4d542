/**
 * The list of lessons, in teaching order. The tour, the README's lesson table,
 * the per-lesson tasks in deno.json (checked by a test) and the exercise
 * runner all read this one list: to add a lesson, add it here.
 *
 * @module
 */

import type { Log } from "../lib/log.ts";

/** What every lesson module exports for the tour. */
export interface LessonModule {
  /** The narrated demo: server and client in one process, on loopback. */
  demo(log: Log): Promise<void>;
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
}

/** Every lesson, in order. */
export const LESSONS: readonly Lesson[] = [
  {
    id: "01",
    file: "01_fetch_page.ts",
    title: "Fetch a web page over a raw TCP socket",
    teaches:
      "connect, send a hand-written HTTP request, read until EOF; split the head, decode chunked bodies, TLS, save atomically",
    tutorial: "seed 000 (sina.html) and seed 004 example 2 (baidu.html)",
    permissions: ["--allow-net", "--allow-read=.", "--allow-write=."],
    load: () => import("./01_fetch_page.ts"),
  },
  {
    id: "02",
    file: "02_hello_http.ts",
    title: "Hello World for a browser",
    teaches:
      "answer a browser from a raw socket: read the whole request head, Content-Type, Content-Length in bytes, 400/431/505",
    tutorial: "seed 004 example 1: the Hello World page on port 12345",
    permissions: ["--allow-net=127.0.0.1"],
    load: () => import("./02_hello_http.ts"),
  },
  {
    id: "03",
    file: "03_tcp_hello.ts",
    title: "TCP hello server",
    teaches: "bind, listen, accept, recv, send; many clients at once without threads",
    tutorial: "seed 000/003: the threaded `tcplink` server and its client",
    permissions: ["--allow-net=127.0.0.1"],
    load: () => import("./03_tcp_hello.ts"),
  },
  {
    id: "04",
    file: "04_udp_hello.ts",
    title: "UDP hello",
    teaches: "sendto and recvfrom; datagrams, no connection, and timeouts with retries",
    tutorial: "seed 003/004: the UDP server and client",
    permissions: ["--allow-net=127.0.0.1"],
    load: () => import("./04_udp_hello.ts"),
  },
  {
    id: "05",
    file: "05_framing.ts",
    title: "Sticky packets, half packets and framing",
    teaches:
      "TCP is a byte stream: writes merge (粘包) and split (半包); a length prefix or a delimiter puts message boundaries back",
    tutorial: "seed 001 (黏包现象) and seed 003 (粘包, 半包)",
    permissions: ["--allow-net=127.0.0.1"],
    load: () => import("./05_framing.ts"),
  },
  {
    id: "06",
    file: "06_factorial_udp.ts",
    title: "Factorial over UDP",
    teaches: "strict input, a limit derived from the datagram size, retries through a lossy link",
    tutorial: "seed 004, example 5: server6.py and client6.py",
    permissions: ["--allow-net=127.0.0.1"],
    load: () => import("./06_factorial_udp.ts"),
  },
  {
    id: "07",
    file: "07_chat.ts",
    title: "Chat: turn-based, then full duplex",
    teaches:
      "input() then recv() takes turns; two loops over one connection don't; a relay for many clients",
    tutorial: "seed 004, example 3 (server3.py/client3.py, esc); seed 001's chat",
    permissions: ["--allow-net=127.0.0.1"],
    load: () => import("./07_chat.ts"),
  },
  {
    id: "08",
    file: "08_unix_sockets.ts",
    title: "Unix domain sockets",
    teaches:
      "AF_UNIX: the lesson 03 handler over a socket file; stale files, file permissions, speed vs TCP measured",
    tutorial: "seed 001/003: the AF_UNIX socket family",
    permissions: [
      "--allow-net=127.0.0.1,unix:$PWD/.tmp/08_hello.sock,unix:$PWD/.tmp/08_demo.sock",
      "--allow-read=.tmp",
      "--allow-write=.tmp",
    ],
    load: () => import("./08_unix_sockets.ts"),
  },
  {
    id: "09",
    file: "09_ports_backlog.ts",
    title: "Ports, addresses and the backlog",
    teaches:
      "port taken, TCP+UDP on one port, TIME_WAIT and SO_REUSEADDR, the backlog, 127.0.0.1/0.0.0.0/::1, all measured",
    tutorial: "seed 001: SO_REUSEADDR and listen(5) (半连接池); seed 003: TCP and UDP on 9999",
    permissions: ["--allow-net=127.0.0.1,127.0.0.2,0.0.0.0,[::1]", "--allow-run=ss"],
    load: () => import("./09_ports_backlog.ts"),
  },
];

/** The lesson with this id, or `undefined`. */
export function findLesson(id: string): Lesson | undefined {
  return LESSONS.find((lesson) => lesson.id === id.padStart(2, "0"));
}
