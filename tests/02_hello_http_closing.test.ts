import assert from "node:assert/strict";
import { answerThenReset, bigAnswerThenClose } from "../lessons/02_hello_http/closing.ts";
import { readChunk, writeAll } from "../lib/io.ts";
import { utf8, within } from "./_util.ts";

const ANSWER = "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

Deno.test("answerThenReset(): after the reset the client's write fails, yet it still reads the whole answer (Linux keeps what had arrived)", async () => {
  const { writeError, received } = await within(
    5_000,
    "the experiment to finish",
    answerThenReset(ANSWER),
  );
  assert.ok(
    ["BrokenPipe", "ConnectionReset"].includes(writeError),
    `a write after the reset fails, got ${JSON.stringify(writeError)}`,
  );
  assert.equal(received, ANSWER);
});

Deno.test("bigAnswerThenClose('close at once'): the closer's unsent bytes are lost, the client reads what it held, then ConnectionReset", async () => {
  const { taken, received, end } = await within(
    10_000,
    "the experiment to finish",
    bigAnswerThenClose("close at once"),
  );
  assert.ok(taken > 0);
  assert.ok(received > 0, "what had reached the client's kernel before the reset is read");
  assert.ok(received < taken, `only part of the ${taken} bytes arrive, got ${received}`);
  assert.equal(end, "ConnectionReset");
});

Deno.test("bigAnswerThenClose('shut down and drain first'): every byte the server's kernel took arrives, then end of stream", async () => {
  const { taken, received, end } = await within(
    10_000,
    "the experiment to finish",
    bigAnswerThenClose("shut down and drain first"),
  );
  assert.equal(received, taken);
  assert.equal(end, "end of stream");
});

Deno.test("conn.close() with input unread sends FIN, then the reset: the reader gets the answer and end of stream, the writer's next write fails", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const server = await listener.accept();
  await writeAll(client, utf8.encode("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"));
  await writeAll(server, utf8.encode(ANSWER));
  server.close(); // the request unread: shutdown(SHUT_WR), then close(): FIN, then RST
  const answer = await within(2_000, "the answer", readChunk(client, 1024));
  assert.equal(utf8.decode(answer!), ANSWER);
  assert.equal(await within(2_000, "end of stream", readChunk(client, 1024)), null);
  await assert.rejects(
    within(
      2_000,
      "a write after the reset to fail",
      (async () => {
        // The first write may reach the socket before the reset does; the next cannot.
        for (let i = 0; i < 10; i++) await client.write(utf8.encode("more"));
      })(),
    ),
    (err) => err instanceof Deno.errors.BrokenPipe || err instanceof Deno.errors.ConnectionReset,
  );
});
