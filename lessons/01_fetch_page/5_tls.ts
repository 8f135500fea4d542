/**
 * # 01 · Step 5: connecting, and https inside TLS
 *
 * `https://` changes nothing in the bytes of steps 1 to 4: the request, the
 * head and the body are the same. They travel inside TLS, which encrypts
 * them and proves with a certificate that the server is the one whose name
 * we asked for. Python wraps its socket:
 *
 *     s = socket.create_connection((host, 443), timeout=10)
 *     s = ssl.create_default_context().wrap_socket(s, server_hostname=host)
 *
 * Deno has two ways. `Deno.connectTls({ hostname, port })` connects and
 * starts TLS in one call; `Deno.startTls(tcp, { hostname })` starts TLS on a
 * connection we already have. We take the second, for one reason:
 * `Deno.connect` takes an `AbortSignal` and `Deno.connectTls` does not
 * (Deno 2.9.6, `deno types`: `ConnectTlsOptions` has no `signal`). A SYN
 * that nobody answers (a firewall drops it, or the server's accept queue is
 * full) keeps a connect waiting while the kernel retries, about two minutes
 * on Linux (`net.ipv4.tcp_syn_retries` = 6, tcp(7); `connectTls` gave up
 * after 134 s here). With `Deno.connect` and a signal, `--timeout-ms` ends
 * that wait; with `connectTls` nothing can.
 *
 * Both return before the TLS handshake, which runs on the first read or
 * write, or when `handshake()` is called: we call it, under the same timeout,
 * so that a certificate problem is reported as one, before any HTTP.
 *
 * @module
 */

import { formatAddr } from "../../lib/addr.ts";
import { LessonError, ProtocolError, TimeoutError } from "../../lib/errors.ts";
import { IdleTimeout } from "../../lib/idle_timeout.ts";
import { closeQuietly } from "../../lib/serve.ts";
import { traced } from "../../lib/trace.ts";
import type { Target } from "./1_request.ts";

/** Options for {@linkcode openConnection}. */
export interface ConnectOptions {
  /** Give up on the TCP connect, and on the TLS handshake, after this long. */
  timeoutMs: number;
  /** Extra certificate authorities (PEM) to trust for https: a test's own. */
  caCerts?: string[];
}

/**
 * Opens the connection for a target: TCP, and for https a TLS session on top
 * of it. Refused connections and unknown hosts rise as Deno's own errors;
 * the command line's edge words them.
 */
export async function openConnection(target: Target, options: ConnectOptions): Promise<Deno.Conn> {
  const where = formatAddr({ hostname: target.hostname, port: target.port });
  // Python: s.connect((host, port)): a DNS lookup, then the three-way
  // handshake. The signal ends the wait after timeoutMs.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs);
  let tcp: Deno.TcpConn;
  try {
    tcp = await Deno.connect({
      hostname: target.hostname,
      port: target.port,
      signal: abort.signal,
    });
  } catch (err) {
    if (!abort.signal.aborted) throw err;
    throw new TimeoutError(
      `no answer from ${where} within ${options.timeoutMs} ms`,
      "is the host reachable? raise --timeout-ms",
      { cause: err },
    );
  } finally {
    clearTimeout(timer);
  }
  if (!target.tls) return traced(tcp, "client");

  // Python: ssl.create_default_context().wrap_socket(s, server_hostname=host).
  // `hostname` is the name the certificate must carry; `tcp` is used up.
  const tls = await Deno.startTls(tcp, { hostname: target.hostname, caCerts: options.caCerts });
  const timeout = new IdleTimeout(
    tls,
    options.timeoutMs,
    () =>
      new TimeoutError(
        `the TLS handshake with ${where} did not finish in ${options.timeoutMs} ms`,
        "is it an https server? raise --timeout-ms",
      ),
  );
  try {
    await timeout.run(() => tls.handshake());
  } catch (err) {
    closeQuietly(tls); // the timeout may have closed it already
    throw explainTlsError(err, where);
  }
  return traced(tls, "client");
}

/** A failed handshake in words: an untrusted certificate, or no TLS at all. */
function explainTlsError(err: unknown, where: string): unknown {
  if (err instanceof LessonError || !(err instanceof Error)) return err;
  const options = { cause: err };
  if (/certificate/i.test(err.message)) {
    return new LessonError(
      `${where} showed a TLS certificate we do not trust (${err.message})`,
      "the certificate is expired, for another name, or not signed by a known authority",
      options,
    );
  }
  if (/corrupt message|InvalidContentType|wrong version/i.test(err.message)) {
    return new ProtocolError(
      `${where} does not speak TLS`,
      "is it a plain http:// server?",
      options,
    );
  }
  return new LessonError(
    `the TLS handshake with ${where} failed: ${err.message}`,
    "is it an https server?",
    options,
  );
}
