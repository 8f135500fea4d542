/**
 * How fast the framing decoders turn bytes back into messages.
 *
 * Every bench decodes the same amount of wire, about 1 MiB, made of frames
 * (or lines) of 16 B, 1 KiB or 1 MiB, fed to the decoder three ways: all at
 * once, in 1,500-byte slices (an Ethernet packet's worth), and one byte at a
 * time (the worst a network can do). The baseline in each group copies the
 * same slices into a buffer with `Uint8Array.set`: the ceiling, since a
 * decoder must at least copy every byte once.
 *
 *     deno task bench            (or: deno bench bench/framing_bench.ts)
 *
 * Throughput = bytes per iteration / time per iteration; the bytes are in
 * each bench's name.
 *
 * @module
 */

import { encodeFrame, FrameDecoder } from "../lessons/05_framing/frame_codec.ts";
import { encodeLine, LineDecoder } from "../lib/lines.ts";
import { concatBytes } from "../lib/io.ts";

const MiB = 1024 * 1024;

/** Frames (or lines) of `size` payload bytes, repeated to make about 1 MiB of wire. */
function wire(kind: "frames" | "lines", size: number): Uint8Array {
  const one = kind === "frames"
    ? encodeFrame(new Uint8Array(size).fill(0x61), { maxFrame: MiB })
    : encodeLine("a".repeat(size), { maxLine: MiB });
  return concatBytes(Array.from({ length: Math.max(1, Math.floor(MiB / one.length)) }, () => one));
}

/** Feeds `bytes` to `push` in slices of `slice` bytes (0: all at once). */
function feed(bytes: Uint8Array, slice: number, push: (chunk: Uint8Array) => unknown): void {
  if (slice === 0) {
    push(bytes);
    return;
  }
  for (let at = 0; at < bytes.length; at += slice) push(bytes.subarray(at, at + slice));
}

const SIZES: [label: string, bytes: number][] = [["16 B", 16], ["1 KiB", 1024], ["1 MiB", MiB]];
const SLICES: [label: string, bytes: number][] = [["whole", 0], ["1500-byte slices", 1500], [
  "1-byte slices",
  1,
]];

for (const [sizeLabel, size] of SIZES) {
  const frames = wire("frames", size);
  const lines = wire("lines", size);
  const sink = new Uint8Array(Math.max(frames.length, lines.length));
  for (const [sliceLabel, slice] of SLICES) {
    const group = `${sizeLabel} messages, ${sliceLabel}`;

    Deno.bench({
      name: `copy (Uint8Array.set), ${frames.length} bytes`,
      group,
      baseline: true,
      fn() {
        let offset = 0;
        feed(frames, slice, (chunk) => {
          sink.set(chunk, offset);
          offset += chunk.length;
        });
      },
    });

    Deno.bench({
      name: `length prefix, ${frames.length} bytes`,
      group,
      fn() {
        const decoder = new FrameDecoder({ maxFrame: MiB });
        let count = 0;
        feed(frames, slice, (chunk) => count += decoder.push(chunk).length);
        decoder.finish();
        if (count === 0) throw new Error("no frames decoded");
      },
    });

    Deno.bench({
      name: `lines, ${lines.length} bytes`,
      group,
      fn() {
        const decoder = new LineDecoder({ maxLine: MiB });
        let count = 0;
        feed(lines, slice, (chunk) => count += decoder.push(chunk).length);
        decoder.finish();
        if (count === 0) throw new Error("no lines decoded");
      },
    });
  }
}
