/**
 * Bugs to plant in lesson 07, the chat (see `all.ts`).
 *
 * @module
 */

import type { Mutation } from "./all.ts";

const LESSON = "lessons/07_chat.ts";
const DUPLEX = "lessons/07_chat/2_full_duplex.ts";
const RELAY = "lessons/07_chat/3_relay.ts";
const BACKPRESSURE = "lessons/07_chat/4_backpressure.ts";
const CONTROLS = "lessons/07_chat/5_control_characters.ts";
const TESTS = ["tests/07_chat.test.ts", "tests/hostile/07_chat.test.ts"];

/** Lesson 07's mutations. */
export const MUTATIONS_07: readonly Mutation[] = [
  {
    id: "07-filter-c0-only",
    file: CONTROLS,
    find: String.raw`\x0a-\x1f\x7f-\x9f]/g`,
    replace: String.raw`\x0a-\x1f]/g`,
    why: "the control-character filter lets DEL and the C1 controls (U+009B is CSI) through",
    tests: TESTS,
  },
  {
    id: "07-filter-del-off-by-one",
    file: CONTROLS,
    find: String.raw`\x7f-\x9f]/g`,
    replace: String.raw`\x80-\x9f]/g`,
    why: "the control-character filter starts C1 one too late and lets DEL through",
    tests: TESTS,
  },
  {
    id: "07-name-too-long",
    file: CONTROLS,
    find: `{1,32}$/u`,
    replace: `{1,33}$/u`,
    why: "a 33-character name is let in",
    tests: TESTS,
  },
  {
    id: "07-turn-esc-unheard",
    file: LESSON,
    find: `if (done || value === ESC) {`,
    replace: `if (done) {`,
    why: "the turn-based chat does not notice the other side's esc",
    tests: TESTS,
  },
  {
    id: "07-turn-ctrl-d-not-esc",
    file: LESSON,
    find: `const text = done ? ESC : value;`,
    replace: `const text = value ?? "";`,
    why: "Ctrl+D in the turn-based chat sends an empty line instead of esc",
    tests: TESTS,
  },
  {
    id: "07-turn-keeps-listening",
    file: LESSON,
    find: "closeQuietly(listener);\n      log(`Client",
    replace: "log(`Client",
    why: "the turn server keeps listening after its one client",
    tests: TESTS,
  },
  {
    id: "07-lines-whole-buffer",
    file: LESSON,
    find: `decoder.push(buffer.subarray(0, n))`,
    replace: `decoder.push(buffer)`,
    why: "linesFrom() decodes the whole buffer, not the n bytes read",
    tests: TESTS,
  },
  {
    id: "07-duplex-no-closewrite",
    file: DUPLEX,
    find: `await conn.closeWrite().catch(() => {});`,
    replace: ``,
    why: "a full-duplex client that leaves sends no FIN",
    tests: TESTS,
  },
  {
    id: "07-duplex-keyboard-kept",
    file: DUPLEX,
    find: `await keyboard.cancel();\n      await speaking;`,
    replace: `await speaking;`,
    why: "after the server hung up, the client waits on the keyboard for ever",
    tests: TESTS,
  },
  {
    id: "07-relay-quit-ignored",
    file: RELAY,
    find: `if (line === QUIT) break;`,
    replace: `if (line === QUIT) continue;`,
    why: "the relay ignores /quit and waits for the end of stream",
    tests: TESTS,
  },
  {
    id: "07-relay-echo-to-sender",
    file: RELAY,
    find: `if (name !== except) member.send(line);`,
    replace: `member.send(line);`,
    why: "the relay sends each line back to its sender too",
    tests: TESTS,
  },
  {
    id: "07-relay-no-keepalive",
    file: RELAY,
    find: `conn.setKeepAlive(true);`,
    replace: ``,
    why: "a member whose machine died is never probed",
    tests: ["tests/interop/07_dead_peer.interop.ts"],
  },
  {
    id: "07-pending-off-by-one",
    file: BACKPRESSURE,
    find: `if (pending > maxPending) {`,
    replace: `if (pending >= maxPending) {`,
    why: "a member is dropped with exactly --max-pending bytes waiting",
    tests: TESTS,
  },
  {
    id: "07-pending-never-drains",
    file: BACKPRESSURE,
    find: `pending -= n;`,
    replace: ``,
    why: "bytes the kernel took still count as waiting: readers are dropped too",
    tests: TESTS,
  },
];
