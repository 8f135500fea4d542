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
];

/** The lesson with this id, or `undefined`. */
export function findLesson(id: string): Lesson | undefined {
  return LESSONS.find((lesson) => lesson.id === id.padStart(2, "0"));
}
