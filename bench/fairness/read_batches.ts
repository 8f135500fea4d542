/**
 * The plain Deno hello server, timing every `conn.read()` from call to
 * result, for issue 17: which reads wait, and what they have in common.
 * On SIGINT it prints how many reads took over 500 ms, and how those slow
 * reads group by the millisecond they were *started* in and the millisecond
 * they *finished* in. Starved reads started in the same event-loop turn, in
 * groups of exactly 128 (tokio's per-task budget), and finish together.
 *
 *   deno run --allow-net=127.0.0.1 bench/fairness/read_batches.ts PORT
 *   (then: .tmp/loadgen -p PORT -c 1000 -r 400 -m 200; then Ctrl+C the server)
 *
 * @module
 */

const encoder = new TextEncoder();
const slow: { started: number; took: number }[] = [];
let reads = 0;

async function handle(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(1024);
  const decoder = new TextDecoder();
  await conn.write(encoder.encode("Welcome!"));
  while (true) {
    const started = performance.now();
    const n = await conn.read(buffer);
    const took = performance.now() - started;
    reads++;
    if (took > 500) slow.push({ started, took });
    if (n === null) break;
    const text = decoder.decode(buffer.subarray(0, n));
    if (text === "exit") break;
    let reply = encoder.encode(`Hello, ${text}!`);
    while (reply.length > 0) reply = reply.subarray(await conn.write(reply));
  }
}

/** The `top` most common values of `keys`, with their counts. */
function mostCommon(keys: number[], top: number): string {
  const counts = new Map<number, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, c]) => `${c}@${k}ms`)
    .join(" ");
}

if (import.meta.main) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: Number(Deno.args[0]) });
  console.log(`Listening on 127.0.0.1:${listener.addr.port}`);
  Deno.addSignalListener("SIGINT", () => {
    console.log(`${reads} reads, ${slow.length} took over 500 ms`);
    console.log(`slow reads by start: ${mostCommon(slow.map((s) => Math.round(s.started)), 8)}`);
    console.log(
      `slow reads by end:   ${mostCommon(slow.map((s) => Math.round(s.started + s.took)), 8)}`,
    );
    Deno.exit(0);
  });
  for await (const conn of listener) handle(conn).catch(() => {}).finally(() => conn.close());
}
