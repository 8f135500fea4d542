// A plain Node `net` server speaking lesson 03's protocol byte for byte, the
// reference the load benchmark compares lesson 03's server against.
//
//   node bench/peers/node_hello_server.mjs PORT [HOST]
//
// Same behaviour and log lines as lessons/03_tcp_hello.ts: on accept, log and
// send the 8 bytes `Welcome!`; each read (Node reads whatever has arrived) is
// decoded as UTF-8: `exit` closes, anything else gets `Hello, <text>!`. End
// of stream from the client closes too. Backlog 511, the same as Deno's and
// the Python peer's, so connect times compare like with like; Nagle left on,
// as Deno and Python leave it (strace shows none of them sets TCP_NODELAY).

import net from "node:net";

const port = Number(process.argv[2] ?? 9999);
const host = process.argv[3] ?? "127.0.0.1";

const server = net.createServer((sock) => {
  const peer = `${sock.remoteAddress}:${sock.remotePort}`;
  console.log(`Accept new connection from ${peer}...`);
  sock.write("Welcome!");
  sock.on("data", (data) => {
    const text = data.toString("utf8");
    if (text === "exit") return void sock.end();
    sock.write(`Hello, ${text}!`);
  });
  // The client closed its side (allowHalfOpen is off, so Node ends ours).
  sock.on("error", (err) => console.log(`Connection from ${peer} failed: ${err.message}`));
  sock.on("close", () => console.log(`Connection from ${peer} closed.`));
});

server.on("error", (err) => {
  console.error(`error: ${err.message}`);
  process.exit(1);
});
server.listen({ port, host, backlog: 511 }, () => {
  console.log(`Listening on ${host}:${server.address().port}. Waiting for connection...`);
});
process.on("SIGINT", () => process.exit(0));
process.on("SIGTERM", () => process.exit(0));
