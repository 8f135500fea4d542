// Deno.serve, default options, serving lesson 02's page: the runtime's own
// HTTP server, next to lesson 02's raw one in bench:load's HTTP scenario.
//
//   deno run --allow-net=127.0.0.1 bench/peers/deno_serve_server.ts PORT
import { PAGE } from "./http_page.mjs";

const body = new TextEncoder().encode(PAGE);
Deno.serve(
  { hostname: "127.0.0.1", port: Number(Deno.args[0]), onListen: () => {} },
  () => new Response(body, { headers: { "Content-Type": "text/html; charset=utf-8" } }),
);
console.log(`Listening on 127.0.0.1:${Deno.args[0]}`);
Deno.addSignalListener("SIGINT", () => Deno.exit(0));
