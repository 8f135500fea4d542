/**
 * # The framing decoders against their speed targets
 *
 * `deno task bench` shows throughput tables; this script checks the four
 * numbers lesson 05's decoders are held to and prints a verdict for each:
 *
 * - 1 MiB frames fed whole: at least 1 GB/s;
 * - 16-byte frames fed whole: at least 5 million frames/s;
 * - 16-byte frames through the `TransformStream`: at least 1 million frames/s;
 * - 1-byte slices: linear cost (10× the input takes at most 11× the time).
 *
 * Each figure is the median of several runs, next to a plain copy of the same
 * bytes (`Uint8Array.set`) as the ceiling.
 *
 * Run: deno task bench:framing
 *
 * @module
 */

import {
  encodeFrame,
  FrameDecoder,
  FrameDecoderStream,
} from "../lessons/05_framing/frame_codec.ts";
import { concatBytes } from "../lib/io.ts";

const MiB = 1024 * 1024;

/** `count` frames of `size` payload bytes, back to back. */
function frames(size: number, count: number): Uint8Array {
  const one = encodeFrame(new Uint8Array(size).fill(0x61), { maxFrame: MiB });
  return concatBytes(Array.from({ length: count }, () => one));
}

/** The median time of `fn` over `runs` runs, in milliseconds, after one run to warm the JIT. */
async function medianMs(runs: number, fn: () => unknown): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)];
}

/** Decodes `bytes` fed in slices of `slice` bytes (0: whole); returns the frame count. */
function decode(bytes: Uint8Array, slice: number): number {
  const decoder = new FrameDecoder({ maxFrame: MiB });
  let count = 0;
  if (slice === 0) return decoder.push(bytes).length;
  for (let at = 0; at < bytes.length; at += slice) {
    count += decoder.push(bytes.subarray(at, at + slice)).length;
  }
  return count;
}

/** Decodes `bytes` through the TransformStream, one 64 KiB chunk at a time. */
async function decodeStream(bytes: Uint8Array): Promise<number> {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += 64 * 1024) {
    chunks.push(bytes.subarray(at, at + 64 * 1024));
  }
  let count = 0;
  for await (const _ of ReadableStream.from(chunks).pipeThrough(new FrameDecoderStream())) count++;
  return count;
}

function verdict(met: boolean): string {
  return met ? "met   " : "missed";
}

if (import.meta.main) {
  const runs = 9;
  const lines: string[] = [];

  // 1 MiB frames, fed whole.
  const big = frames(MiB, 16);
  const copyTarget = new Uint8Array(big.length);
  const bigMs = await medianMs(runs, () => decode(big, 0));
  const copyMs = await medianMs(runs, () => copyTarget.set(big));
  const gbps = big.length / bigMs / 1e6;
  lines.push(
    `${verdict(gbps >= 1)} 1 MiB frames fed whole: ${gbps.toFixed(2)} GB/s (target ≥ 1; ` +
      `a plain copy: ${(big.length / copyMs / 1e6).toFixed(1)} GB/s)`,
  );

  // 16-byte frames, fed whole and through the stream.
  const count = 200_000;
  const small = frames(16, count);
  const smallMs = await medianMs(runs, () => decode(small, 0));
  const perSecond = count / smallMs * 1000;
  lines.push(
    `${verdict(perSecond >= 5e6)} 16-byte frames fed whole: ${(perSecond / 1e6).toFixed(2)} ` +
      "million frames/s (target ≥ 5)",
  );
  const streamMs = await medianMs(runs, () => decodeStream(small));
  const streamPerSecond = count / streamMs * 1000;
  lines.push(
    `${verdict(streamPerSecond >= 1e6)} 16-byte frames through FrameDecoderStream: ${
      (streamPerSecond / 1e6).toFixed(2)
    } million frames/s (target ≥ 1)`,
  );

  // Linearity under 1-byte slicing: 10× the input, at most 11× the time.
  const tenth = frames(1024, 100);
  const tenTimes = frames(1024, 1000);
  const tenthMs = await medianMs(runs, () => decode(tenth, 1));
  const tenTimesMs = await medianMs(runs, () => decode(tenTimes, 1));
  const growth = tenTimesMs / tenthMs;
  lines.push(
    `${verdict(growth <= 11)} 1-byte slices, 10× the input: ${growth.toFixed(1)}× the time ` +
      `(target ≤ 11; ${tenthMs.toFixed(1)} ms → ${tenTimesMs.toFixed(1)} ms)`,
  );

  console.log(
    `Lesson 05's length-prefix decoder, medians of ${runs} runs (Deno ${Deno.version.deno})\n`,
  );
  for (const line of lines) console.log(line);
}
