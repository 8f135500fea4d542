/**
 * # 05 · The demo's transcript: pictures and verdicts
 *
 * Plumbing for `demo.ts`, kept out of the story: a transfer drawn as boxes
 * (`boundary_picture.ts`), one line saying whether the messages came out
 * whole, and ephemeral ports scrubbed, so that the transcript is the same on
 * every run.
 *
 * @module
 */

import type { Log } from "../../lib/log.ts";
import { capturedSegments } from "../../lib/trace.ts";
import { drawPicture, MAX_EXACT_BYTES, type PictureRow } from "./boundary_picture.ts";
import type { Transfer } from "./1_sticky.ts";
import { type Decoded, type Framing, NO_FRAMING } from "./framings.ts";

const encoder = new TextEncoder();

/** The picture of a transfer: writes, reads, and what the decoder made of them. */
export function drawTransfer(
  log: Log,
  transfer: Transfer,
  framing: Framing,
  decoded: Decoded,
): void {
  const rows: PictureRow[] = [
    { label: count(transfer.writes.length, "write"), pieces: transfer.writes },
    { label: count(transfer.reads.length, "read"), pieces: transfer.reads },
  ];
  const short = transfer.reads.every((read) => read.length <= MAX_EXACT_BYTES);
  if (framing !== NO_FRAMING && !decoded.error && short) {
    // The decoder's boundaries are the encoded messages: draw them again.
    rows.push({
      label: count(decoded.messages.length, "message"),
      pieces: decoded.messages.map((m) => framing.encode(m)),
    });
  }
  log("");
  for (const line of drawPicture(rows)) log(`  ${line}`);
  log("");
}

/** One line (two for no framing) saying whether the messages came out whole. */
export function verdict(
  log: Log,
  framing: Framing,
  decoded: Decoded,
  sent: readonly string[],
): void {
  if (decoded.error) {
    log(`  ✗ refused at read ${(decoded.errorAt ?? 0) + 1}: ${decoded.error.message}.`);
    return;
  }
  const { messages, completedBy } = decoded;
  const whole = messages.length === sent.length && messages.every((m, i) => m === sent[i]);
  const mark = whole ? "✓" : "✗";
  if (framing === NO_FRAMING) {
    // One read, one "message": whatever the read returned.
    const sizes = messages.map((m) => encoder.encode(m).length);
    const what = messages.length <= 4
      ? `recv(1024) returned ${quoted(messages)}`
      : `${messages.length} reads of ${span(sizes, 0)} bytes`;
    const were = sent.length === 1 ? "was" : "were";
    log(`  ${mark} ${what}:`);
    log(
      `    ${count(messages.length, '"message"', '"messages"')} where ${sent.length} ${were} sent.`,
    );
    return;
  }
  log(`  ${mark} ${count(messages.length, "message")}, whole: ${quoted(messages)}`);
  const last = completedBy.at(-1);
  if (last !== undefined) log(`    (the decoder handed out the last one after read ${last + 1})`);
}

/** What `--capture` shows where it cannot run: the segments seen on a Linux loopback. */
const WIRE_ELSEWHERE = {
  sticky: [
    "(With --capture (Linux, root, tcpdump) the real segments are counted here:",
    "on the loopback, 3 segments of 5, 6 and 7 bytes, all taken by this 1 read.)",
  ],
  half: [
    "(With --capture (Linux, root, tcpdump) the real segments are counted here:",
    "on the loopback, a few large ones, e.g. 32741, 32741 and 36918 bytes.)",
  ],
};

/**
 * The segments tcpdump saw of `transfer`'s connection against its writes
 * and reads, in two lines (`--capture`); without a capture, what it would
 * show. Asking makes the trace print what it holds of the transfer first.
 */
export async function wireNote(transfer: Transfer, which: "sticky" | "half"): Promise<string[]> {
  const segments = await capturedSegments(transfer.addrs.client, transfer.addrs.server);
  if (segments === undefined) return WIRE_ELSEWHERE[which].map((line) => `  ${line}`);
  const sizes = segments.filter((s) => s.from === "client" && s.length > 0).map((s) => s.length);
  const reads = transfer.reads.map((read) => read.length);
  const writes = count(transfer.writes.length, "write");
  return [
    `  On the wire (--capture): ${writes} left as ${count(sizes.length, "segment")}: ${
      span(sizes, 4)
    } bytes;`,
    reads.length === 1
      ? `  1 read took all ${reads[0]} bytes.`
      : `  ${reads.length} reads of ${span(reads, 0)} bytes took them.`,
  ];
}

/** With `--capture`, waits until the trace so far has been printed (it is held for tcpdump). */
export async function traceCaughtUp(): Promise<void> {
  const nobody = { transport: "tcp", hostname: "127.0.0.1", port: 0 } as const;
  await capturedSegments(nobody, nobody); // asking makes it catch up; the answer is not needed
}

/** `5, 6, 7` (up to `upTo` numbers), else `1 to 1024`, or `1024` if all are. */
function span(numbers: readonly number[], upTo: number): string {
  if (numbers.length <= upTo) return numbers.join(", ");
  const [least, most] = [Math.min(...numbers), Math.max(...numbers)];
  return least === most ? `${most}` : `${least} to ${most}`;
}

/** Lesson 03's conversation without waiting, as the client saw it. */
export function logHello(
  log: Log,
  framing: Framing,
  names: readonly string[],
  replies: readonly string[],
): void {
  for (const name of names) log(`  client → ${name}`);
  for (const reply of replies) log(`  client ← ${reply}`);
  if (framing === NO_FRAMING) return;
  const whole = replies.length === names.length &&
    replies.every((reply, i) => reply === `Hello, ${names[i]}!`);
  log(`  ${whole ? "✓" : "✗"} ${count(replies.length, "reply", "replies")}, one per name.`);
}

/** Replaces ephemeral port numbers, so the transcript is the same on every run. */
export function withoutPorts(log: Log): Log {
  return (line) => log(line.replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:‹port›"));
}

/** `1 read`, `3 reads`. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

function quoted(messages: readonly string[]): string {
  return messages.map((m) =>
    m.length > 24 ? `${JSON.stringify(`${m.slice(0, 8)}…`)} (${m.length} bytes)` : JSON.stringify(m)
  ).join(", ");
}
