/**
 * The baseline for lesson 05's bulk benchmark: a Deno TCP server that sends
 * back every byte it reads, with no framing at all. Same runtime, same read
 * size (64 KiB) and same loopback as lesson 05's framed server, so the
 * difference between the two is the cost of framing.
 *
 *   deno run --allow-net=127.0.0.1 bench/load/raw_echo_server.ts PORT
 *
 * @module
 */

import { writeAll } from "./io.ts";

/** Serves until SIGINT (Ctrl+C): echoes every byte back on its connection. */
export async function main(args: string[]): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: Number(args[0] ?? 0) });
  console.log(`Listening on 127.0.0.1:${listener.addr.port} (raw echo)`);
  Deno.addSignalListener("SIGINT", () => listener.close());
  for await (const conn of listener) {
    (async () => {
      const buffer = new Uint8Array(64 * 1024);
      for (let n; (n = await conn.read(buffer)) !== null;) {
        await writeAll(conn, buffer.subarray(0, n));
      }
    })().catch(() => {}).finally(() => conn.close());
  }
}

if (import.meta.main) await main(Deno.args);
