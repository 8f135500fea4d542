import assert from "node:assert/strict";
import { loadLesson } from "./_lesson.ts";
import { recordLog, utf8 } from "./_util.ts";
import { formatError, TimeoutError } from "../lib/errors.ts";
import { bindUdp, MAX_UDP_PAYLOAD, udpRequest } from "../lib/udp.ts";
import { listenTcp } from "../lib/tcp.ts";

const lesson = await loadLesson<typeof import("../lessons/04_udp_hello.ts")>("04_udp_hello.ts");

Deno.test("each datagram gets Hello, <text>! back, UTF-8 included", async () => {
  const server = lesson.startUdpHelloServer({ port: 0 });
  try {
    const replies = await lesson.runUdpHelloClient({
      port: server.addr.port,
      names: ["Michael", "Tracy", "Sarah", "张三"],
    });
    assert.deepEqual(replies, [
      "Hello, Michael!",
      "Hello, Tracy!",
      "Hello, Sarah!",
      "Hello, 张三!",
    ]);
  } finally {
    await server.close();
  }
});

Deno.test("the server binds 127.0.0.1, not Deno's default 0.0.0.0", async () => {
  const server = lesson.startUdpHelloServer({ port: 0 });
  assert.equal(server.addr.hostname, "127.0.0.1");
  await server.close();
});

Deno.test("the server logs Received from <ip>:<port>. with the sender's address", async () => {
  const { log, waitFor } = recordLog();
  const server = lesson.startUdpHelloServer({ port: 0, log });
  try {
    const reply = await udpRequest(utf8.encode("Michael"), {
      port: server.addr.port,
      timeoutMs: 2_000,
      tries: 1,
    });
    assert.equal(utf8.decode(reply), "Hello, Michael!");
    await waitFor(/^Received from 127\.0\.0\.1:\d+\.$/);
  } finally {
    await server.close();
  }
});

Deno.test("a quiet server prints what it receives and answers nothing", async () => {
  const { log, waitFor } = recordLog();
  const server = lesson.startUdpHelloServer({ port: 0, quiet: true, log });
  try {
    await assert.rejects(
      () =>
        udpRequest(utf8.encode("just listen"), { port: server.addr.port, timeoutMs: 50, tries: 1 }),
      TimeoutError,
    );
    await waitFor(/: just listen$/);
  } finally {
    await server.close();
  }
});

Deno.test("with no server, the client sends each try and then fails with one clear line", async () => {
  // A socket that only counts what arrives: a server that never answers.
  const silent = bindUdp({ port: 0 });
  const port = (silent.addr as Deno.NetAddr).port;
  const arrived: string[] = [];
  const counting = (async () => {
    try {
      while (true) arrived.push(utf8.decode((await silent.receive())[0]));
    } catch { /* closed */ }
  })();
  try {
    await assert.rejects(
      () => lesson.runUdpHelloClient({ port, names: ["Michael"], timeoutMs: 20, tries: 3 }),
      (err) => {
        assert.equal(
          formatError(err),
          `error: no reply from 127.0.0.1:${port} after 3 tries of 20 ms ` +
            `(is the server running? start it with: deno task 04 server)`,
        );
        return true;
      },
    );
  } finally {
    silent.close();
    await counting;
  }
  assert.deepEqual(arrived, ["Michael", "Michael", "Michael"]);
});

Deno.test("a lost datagram is sent again and the retry gets the answer", async () => {
  // A server that drops the first datagram it gets, as a lossy network would.
  const server = bindUdp({ port: 0 });
  const serving = (async () => {
    await server.receive(); // lost
    const [data, from] = await server.receive();
    await server.send(utf8.encode(`Hello, ${utf8.decode(data)}!`), from);
  })();
  const { log, lines } = recordLog();
  try {
    const replies = await lesson.runUdpHelloClient({
      port: (server.addr as Deno.NetAddr).port,
      names: ["Tracy"],
      timeoutMs: 50,
      log,
    });
    assert.deepEqual(replies, ["Hello, Tracy!"]);
    assert.ok(lines.some((line) => line.includes("sending Tracy again (try 2)")));
  } finally {
    server.close(); // also ends `serving` if the client never sent anything
    await serving.catch(() => {});
  }
});

Deno.test("a reply too big for one datagram is not sent, and the server keeps serving", async () => {
  const { log, waitFor } = recordLog();
  const server = lesson.startUdpHelloServer({ port: 0, log });
  const client = bindUdp({ port: 0 });
  try {
    await client.send(new Uint8Array(MAX_UDP_PAYLOAD).fill(0x61), server.addr);
    await waitFor(/would be 65515 bytes, more than one datagram holds \(65507\); not sent\./);
    const replies = await lesson.runUdpHelloClient({ port: server.addr.port, names: ["Sarah"] });
    assert.deepEqual(replies, ["Hello, Sarah!"]);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("a TCP listener and a UDP server hold the same port number at once", async () => {
  // TCP first: a port the kernel just gave to TCP is free for TCP, and UDP
  // keeps a table of its own.
  using tcp = listenTcp({ port: 0 });
  const server = lesson.startUdpHelloServer({ port: tcp.addr.port });
  try {
    assert.equal(server.addr.port, tcp.addr.port);
    const replies = await lesson.runUdpHelloClient({ port: tcp.addr.port, names: ["both"] });
    assert.deepEqual(replies, ["Hello, both!"]);
  } finally {
    await server.close();
  }
});

Deno.test("the command line checks --tries and --timeout-ms", async () => {
  await assert.rejects(() => lesson.main(["client", "--tries", "0"]), /--tries must be between 1/);
  await assert.rejects(() => lesson.main(["client", "--timeout-ms", "soon"]), /whole number/);
});

Deno.test("the demo shows the exchange, the shared port and a client giving up", async () => {
  const { log, lines } = recordLog();
  await lesson.demo(log);
  const transcript = lines.join("\n");
  assert.ok(transcript.includes("client │ ← Hello, Sarah!"));
  assert.ok(transcript.includes("TCP and UDP ports are separate"));
  assert.ok(transcript.includes("client gives up: no reply"));
});
