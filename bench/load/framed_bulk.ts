/**
 * Bulk throughput through lesson 05's framed server, next to a raw transfer
 * of the same bytes over the same loopback.
 *
 * One connection sends N frames of 1 MiB (lowercase ASCII) while it reads
 * the replies; the framed server answers each with the same text upper-cased
 * in one frame. The raw run sends the same payload bytes, unframed, to a
 * plain echo server (`raw_echo_server.ts`). Replies are checked the same way
 * in both runs (see `check`), so both clients do the same work. Throughput
 * is payload bytes sent per second, from connect to the last reply byte.
 *
 * @module
 */

import { closeQuietly, concatBytes, writeAll } from "./io.ts";

/** 1 MiB, the size of each frame's payload (lesson 05's default maximum frame). */
export const FRAME_BYTES = 1024 * 1024;

/** What one bulk transfer measured. */
export interface BulkResult {
  /** Payload bytes sent (and as many received), MiB. */
  mib: number;
  /** From connect to the last reply byte, s. */
  seconds: number;
  /** `mib / seconds`. */
  mibPerSecond: number;
}

/** `bytes` of lowercase ASCII (`abc…z` repeating), and the same upper-cased. */
export function bulkPayload(bytes: number): { lower: Uint8Array; upper: Uint8Array } {
  const lower = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) lower[i] = 0x61 + (i % 26);
  const upper = lower.map((b) => b - 0x20);
  return { lower, upper };
}

/**
 * Throws unless `got` matches `expected` from `offset` on. The first MiB of
 * a transfer is checked byte for byte, the rest at every 61st byte: a full
 * check in JavaScript costs about 2.5 ns a byte, as much as the transfer
 * itself, and would hide the server's cost behind the client's. (The pattern
 * repeats every 26 bytes, so a frame cut in the wrong place still shows up.)
 * `expected` must be long enough: the raw run passes the payload twice over,
 * so a read that runs past the end of one payload needs no `%` per byte.
 */
function check(got: Uint8Array, expected: Uint8Array, offset: number, full: boolean): void {
  const step = full ? 1 : 61;
  for (let i = 0; i < got.length; i += step) {
    if (got[i] !== expected[offset + i]) throw new Error(`byte ${offset + i} of a reply differs`);
  }
  const last = got.length - 1;
  if (last >= 0 && got[last] !== expected[offset + last]) {
    throw new Error(`byte ${offset + last} of a reply differs`);
  }
}

/**
 * Sends `frames` frames of 1 MiB to a lesson 05 server on `port` and reads
 * the upper-cased replies, writing and reading at the same time (a client
 * that wrote everything first could fill both sides' buffers and deadlock).
 */
/** Lesson 05's frame header: the payload length, 4 bytes, big-endian (Python's `struct.pack('!I')`). */
function frameHeader(length: number): Uint8Array {
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, length);
  return header;
}

/** Cuts the replies into payloads: a minimal decoder, so this file does not follow lesson 05's moves. */
class FrameDecoder {
  #pending: Uint8Array = new Uint8Array(0);
  /** Feeds one read's bytes; returns the payloads they complete. */
  push(chunk: Uint8Array): Uint8Array[] {
    let bytes = concatBytes([this.#pending, chunk]);
    const out: Uint8Array[] = [];
    while (bytes.length >= 4) {
      const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
      if (bytes.length < 4 + length) break;
      out.push(bytes.subarray(4, 4 + length));
      bytes = bytes.subarray(4 + length);
    }
    this.#pending = bytes.slice();
    return out;
  }
}

export async function framedTransfer(port: number, frames: number): Promise<BulkResult> {
  const { lower, upper } = bulkPayload(FRAME_BYTES);
  const frame = concatBytes([frameHeader(lower.length), lower]);
  const started = performance.now();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const sending = (async () => {
      for (let i = 0; i < frames; i++) await writeAll(conn, frame);
      await conn.closeWrite();
    })();
    const decoder = new FrameDecoder();
    const buffer = new Uint8Array(64 * 1024);
    let replies = 0;
    while (replies < frames) {
      const n = await conn.read(buffer);
      if (n === null) throw new Error(`the server closed after ${replies} of ${frames} replies`);
      for (const payload of decoder.push(buffer.subarray(0, n))) {
        if (payload.length !== upper.length) throw new Error(`reply ${replies}: wrong length`);
        check(payload, upper, 0, replies === 0);
        replies++;
      }
    }
    await sending;
    return result(frames, performance.now() - started);
  } finally {
    closeQuietly(conn);
  }
}

/** The same payload bytes, unframed, through a raw echo server on `port`. */
export async function rawTransfer(port: number, frames: number): Promise<BulkResult> {
  const { lower } = bulkPayload(FRAME_BYTES);
  const twice = concatBytes([lower, lower]);
  const total = frames * FRAME_BYTES;
  const started = performance.now();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const sending = (async () => {
      for (let i = 0; i < frames; i++) await writeAll(conn, lower);
      await conn.closeWrite();
    })();
    const buffer = new Uint8Array(64 * 1024);
    let received = 0;
    while (received < total) {
      const n = await conn.read(buffer);
      if (n === null) throw new Error(`the server closed after ${received} of ${total} bytes`);
      check(buffer.subarray(0, n), twice, received % FRAME_BYTES, received < FRAME_BYTES);
      received += n;
    }
    await sending;
    return result(frames, performance.now() - started);
  } finally {
    closeQuietly(conn);
  }
}

function result(frames: number, ms: number): BulkResult {
  const mib = frames * FRAME_BYTES / (1024 * 1024);
  return { mib, seconds: ms / 1000, mibPerSecond: mib / (ms / 1000) };
}
