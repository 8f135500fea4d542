// Deno.listen leaves some connections waiting seconds; node:net on the same Deno does not.
// 1,000 clients (node:net, at most 200 connecting at once) do 200 lock-step round trips each
// against an echo server in a child process: Deno.listen + conn.read/conn.write, then the
// same with node:net, alternated. Same Deno, same client. Usage: deno run -A THIS_FILE
import net from "node:net";
const [mode, port] = [Deno.args[0], Number(Deno.args[1])];
if (mode === "deno") { // the plainest Deno server: one async loop per connection
  for await (const conn of Deno.listen({ hostname: "127.0.0.1", port })) {
    (async () => {
      const buf = new Uint8Array(1024);
      for (let n; (n = await conn.read(buf)) !== null;) await conn.write(buf.subarray(0, n));
    })().catch(() => {}).finally(() => conn.close());
  }
} else if (mode === "node") { // the same with node:net
  net.createServer((s) => s.on("data", (d) => s.write(d)).on("error", () => {})).listen(port);
} else {
  for (const server of ["deno", "node", "deno", "node"]) console.log(server, await measure(server));
}
async function measure(server: string, clients = 1000, rounds = 200): Promise<string> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const args = ["run", "-A", import.meta.filename!, server, `${port}`];
  const child = new Deno.Command(Deno.execPath(), { args, stdout: "null" }).spawn();
  await new Promise((r) => setTimeout(r, 1000));
  const times: number[] = [], worstPerConn: number[] = [], started = performance.now();
  let connecting = 0;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (connecting >= 200) await new Promise((r) => setTimeout(r, 1));
    connecting++;
    const s = net.connect(port, "127.0.0.1");
    await new Promise((r) => s.once("connect", r));
    connecting--;
    let worst = 0;
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      await new Promise((r) => (s.once("data", r), s.write("ping")));
      const ms = performance.now() - t;
      times.push(ms), worst = Math.max(worst, ms);
    }
    worstPerConn.push(worst), s.destroy();
  }));
  const seconds = (performance.now() - started) / 1000;
  child.kill(), await child.status;
  const q = (p: number) => times.sort((x, y) => x - y)[Math.floor(p * (times.length - 1))];
  const slow = worstPerConn.filter((w) => w > 500).length, rate = times.length / seconds;
  const [p50, p99, worst] = [q(.5).toFixed(1), q(.99).toFixed(1), q(1).toFixed(0)];
  return `${
    rate.toFixed(0)
  } rt/s, p50 ${p50} ms, p99 ${p99} ms, worst ${worst} ms, ${slow} conns > 500 ms`;
}
