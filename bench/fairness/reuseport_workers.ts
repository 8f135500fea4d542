/**
 * Experiment for issue 17: the plain Deno hello server in N Web Workers, each
 * with its own listener on the same port (`reusePort`: Linux spreads the
 * connections over them). Each worker has its own runtime, so its own op
 * driver and coop budget: with 1,000 clients and 8 workers, each serves
 * about 125, under the 128 completions per turn past which a runtime starves
 * connections.
 *
 *   deno run --allow-net=127.0.0.1 --allow-read=bench bench/fairness/reuseport_workers.ts PORT [N]
 *
 * @module
 */

const encoder = new TextEncoder();

/** One worker: the plain server's loop on its own reusePort listener. */
async function serveInWorker(port: number): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port, reusePort: true });
  for await (const conn of listener) {
    (async () => {
      const buffer = new Uint8Array(1024);
      const decoder = new TextDecoder();
      await conn.write(encoder.encode("Welcome!"));
      for (let n; (n = await conn.read(buffer)) !== null;) {
        const text = decoder.decode(buffer.subarray(0, n));
        if (text === "exit") break;
        let reply = encoder.encode(`Hello, ${text}!`);
        while (reply.length > 0) reply = reply.subarray(await conn.write(reply));
      }
    })().catch(() => {}).finally(() => conn.close());
  }
}

if ("WorkerGlobalScope" in globalThis) {
  (globalThis as unknown as { onmessage: (e: MessageEvent<number>) => void }).onmessage = (e) =>
    void serveInWorker(e.data);
} else if (import.meta.main) {
  const port = Number(Deno.args[0]);
  const workers = Number(Deno.args[1] ?? 8);
  for (let i = 0; i < workers; i++) {
    new Worker(import.meta.url, { type: "module" }).postMessage(port);
  }
  console.log(`Listening on 127.0.0.1:${port} (${workers} workers)`);
}
