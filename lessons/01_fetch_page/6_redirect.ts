/**
 * # 01 · Step 6: a redirect says where the page went
 *
 * Ask `http://www.sina.com.cn/` today and the answer is likely not the page
 * but a `301 Moved Permanently` or `302 Found` whose `Location` field points
 * at `https://...`, with a short body for people. The tutorial saves that
 * body as `sina.html`. A browser follows `Location` with a new request; this
 * lesson says where the page is and which command fetches it, so that each
 * request stays one you typed (RFC 9110 §15.4: the 3xx codes).
 *
 * @module
 */

import { fieldValue, type ResponseHead } from "../../lib/http_message.ts";

/**
 * Where a redirect points, as an absolute URL, or `undefined` if the answer
 * is not a redirect. `Location` may be relative to the URL we asked for.
 *
 * @example
 * ```ts
 * import { redirectTarget } from "./6_redirect.ts";
 * import assert from "node:assert/strict";
 *
 * const head = { version: "1.1", status: 301, reason: "Moved Permanently", lines: [],
 *   fields: [{ name: "Location", value: "/new" }] };
 * assert.equal(redirectTarget(head, new URL("http://example.com/old")), "http://example.com/new");
 * ```
 */
export function redirectTarget(head: ResponseHead, base: URL): string | undefined {
  if (head.status < 300 || head.status >= 400) return undefined;
  const location = fieldValue(head.fields, "location");
  if (location === undefined) return undefined;
  try {
    return new URL(location, base).href;
  } catch {
    return location;
  }
}
