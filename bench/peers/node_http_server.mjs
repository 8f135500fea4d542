// Node `http`, default options, serving lesson 02's page: the reference for
// lesson 02's raw HTTP server under wrk (bench:load's HTTP scenario).
//
//   node bench/peers/node_http_server.mjs PORT
import http from "node:http";
import { PAGE } from "./http_page.mjs";

const body = Buffer.from(PAGE, "utf8");
http.createServer((_req, res) => {
  res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Length": body.length });
  res.end(body);
}).listen(Number(process.argv[2]), "127.0.0.1", function () {
  console.log(`Listening on 127.0.0.1:${this.address().port}`);
});
process.on("SIGINT", () => process.exit(0));
