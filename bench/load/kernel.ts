/**
 * What the kernel saw during a run: accept-queue overflows (`nstat`) and,
 * on request, bytes that had arrived for the server but were not read yet
 * (`ss -tni`: Recv-Q and `lastrcv` of the server's sockets).
 *
 * Both are read from the network namespace the benchmark runs in: other
 * programs' connections count too (a test that overflows a backlog on
 * purpose shows up), so take the figures from a quiet machine.
 *
 * @module
 */

/** `TcpExtListenOverflows` now: SYNs or handshakes dropped because an accept queue was full. */
export async function listenOverflows(): Promise<number> {
  try {
    const out = await new Deno.Command("nstat", {
      args: ["-az", "TcpExtListenOverflows"],
      stdout: "piped",
      stderr: "null",
    }).output();
    const match = /TcpExtListenOverflows\s+(\d+)/.exec(new TextDecoder().decode(out.stdout));
    return match ? Number(match[1]) : NaN;
  } catch {
    return NaN; // nstat missing: apt-get install iproute2
  }
}

/** One socket seen by `ss` with unread bytes. */
export interface UnreadSample {
  /** Bytes in the receive queue the server has not read. */
  recvQ: number;
  /** How long ago the last bytes arrived, ms (ss's `lastrcv`). */
  lastReceivedMs: number;
  /** The whole `ss` entry, for the report. */
  line: string;
}

/**
 * Parses `ss -tniH` output into the sockets with unread bytes.
 *
 * @example
 * ```ts
 * import { unreadSockets } from "./kernel.ts";
 * import assert from "node:assert/strict";
 *
 * const out = "7      0      127.0.0.1:41003 127.0.0.1:60920\n" +
 *   "\t cubic rto:208 bytes_received:168 lastsnd:992 lastrcv:988 lastack:988\n" +
 *   "0      0      127.0.0.1:41003 127.0.0.1:60921\n\t cubic lastrcv:3\n";
 * const [sample] = unreadSockets(out);
 * assert.equal(sample.recvQ, 7);
 * assert.equal(sample.lastReceivedMs, 988);
 * ```
 */
export function unreadSockets(ssOutput: string): UnreadSample[] {
  const lines = ssOutput.split("\n");
  const found: UnreadSample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = /^(\d+)\s+(\d+)\s+\S+\s+\S+/.exec(lines[i]);
    if (!head || Number(head[1]) === 0) continue;
    const info = lines[i + 1]?.startsWith("\t") ? lines[i + 1] : "";
    const last = /lastrcv:(\d+)/.exec(info);
    found.push({
      recvQ: Number(head[1]),
      lastReceivedMs: last ? Number(last[1]) : 0,
      line: `${lines[i].trim()} | ${info.trim()}`,
    });
  }
  return found;
}

/** What {@linkcode watchUnread} saw. */
export interface UnreadReport {
  /** How many times `ss` was run. */
  samples: number;
  /** The socket whose unread bytes had waited longest, or none. */
  oldest?: UnreadSample;
}

/**
 * Samples the server's established sockets (local port `port`) with
 * `ss -tni` every `everyMs` until `signal` aborts, and keeps the socket
 * whose unread bytes were oldest: data the kernel had ready for the server
 * that the server's runtime had not read. (`ss` itself takes tens of ms at
 * 1,000 sockets and uses CPU: use it to find the cause, not while timing.)
 */
export async function watchUnread(
  port: number,
  signal: AbortSignal,
  everyMs = 100,
): Promise<UnreadReport> {
  const report: UnreadReport = { samples: 0 };
  while (!signal.aborted) {
    const out = await new Deno.Command("ss", {
      args: ["-tniH", "state", "established", `( sport = :${port} )`],
      stdout: "piped",
      stderr: "null",
    }).output();
    report.samples++;
    for (const sample of unreadSockets(new TextDecoder().decode(out.stdout))) {
      if (!report.oldest || sample.lastReceivedMs > report.oldest.lastReceivedMs) {
        report.oldest = sample;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return report;
}
