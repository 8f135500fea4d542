/**
 * Lesson 06's exercises: factorial over UDP, made to face strangers.
 *
 * @module
 */

import type { Exercise } from "../catalog.ts";

const TESTS = ["tests/06_factorial_udp.test.ts"];

/** Lesson 06's exercises, in order. */
export const EXERCISES_06: readonly Exercise[] = [
  {
    id: "06a",
    file: "06_factorial_udp/a_strict_request.ts",
    goal: {
      en: "strict input: accept plain digits up to maxN, refuse -5, 1e3, 0x10, 17230 with a reason",
      zh: "严格的输入：只接受不超过 maxN 的纯数字，拒绝 -5、1e3、0x10、17230 并说明原因",
    },
    tests: [...TESTS, "tests/hostile/06_factorial_udp.test.ts"],
    hints: [
      {
        en: "The tutorial's int(data) takes ' +1_000 \\n' and '-5'. Decide what a request is, " +
          "and test it with one regular expression (MDN: RegExp.prototype.test, " +
          "https://developer.mozilla.org/docs/Web/JavaScript/Reference/Global_Objects/RegExp/test). " +
          "For bytes that are not UTF-8, look up TextDecoder's `fatal` option " +
          "(https://developer.mozilla.org/docs/Web/API/TextDecoder/TextDecoder).",
        zh:
          "教程的 int(data) 连 ' +1_000 \\n' 和 '-5' 都收。先想清楚什么才算一个请求，再用一个正则表达式去判断" +
          "（MDN：RegExp.prototype.test，" +
          "https://developer.mozilla.org/docs/Web/JavaScript/Reference/Global_Objects/RegExp/test）。" +
          "对于不是 UTF-8 的字节，查一下 TextDecoder 的 `fatal` 选项（https://developer.mozilla.org/docs/Web/API/TextDecoder/TextDecoder）。",
      },
      {
        en: "trim() the text, then require /^[0-9]+$/: that one pattern refuses signs, points, " +
          "exponents, base prefixes, underscores, full-width digits and the empty string. " +
          "Number() and parseInt() are too generous to decide it (Number('0x10') is 16, " +
          "parseInt('5abc') is 5).",
        zh:
          "先 trim()，再要求匹配 /^[0-9]+$/：这一个模式就能拒绝正负号、小数点、指数、进制前缀、下划线、全角数字和空字符串。" +
          "Number() 和 parseInt() 太宽容，不能用来判断（Number('0x10') 是 16，parseInt('5abc') 是 5）。",
      },
      {
        en: "Patterns such as /^[0-9]+\\.?[0-9]*$/ can match the same digits in many ways, and " +
          "on 65,506 digits and a letter they try them all: seconds per datagram. Keep to " +
          "patterns that match in one way only. Then compare n with maxN (17,229 by default): " +
          "a longer digit string than maxN's is too large without parsing it.",
        zh:
          "像 /^[0-9]+\\.?[0-9]*$/ 这样的模式能用很多种方式匹配同一串数字，遇到 65,506 个数字加一个字母时会一一尝试：" +
          "每个数据报要花好几秒。只用只有一种匹配方式的模式。然后把 n 和 maxN（默认 17,229）比较：" +
          "数字串比 maxN 的还长，不用解析就知道太大了。",
      },
      {
        en: "let text; try { text = typeof data === 'string' ? data : new TextDecoder('utf-8', " +
          "{ fatal: true }).decode(data); } catch { return { ok: false, reason: 'not UTF-8' }; } " +
          "text = text.trim(); if (!/^[0-9]+$/.test(text)) return { ok: false, reason: 'n must " +
          "be ASCII digits' }; const digits = text.replace(/^0+(?=[0-9])/, ''); const n = " +
          "digits.length > String(maxN).length ? Infinity : Number(digits); if (n > maxN) " +
          "return { ok: false, reason: 'n too large' }; return { ok: true, n };",
        zh: "let text; try { text = typeof data === 'string' ? data : new TextDecoder('utf-8', " +
          "{ fatal: true }).decode(data); } catch { return { ok: false, reason: 'not UTF-8' }; } " +
          "text = text.trim(); if (!/^[0-9]+$/.test(text)) return { ok: false, reason: 'n must " +
          "be ASCII digits' }; const digits = text.replace(/^0+(?=[0-9])/, ''); const n = " +
          "digits.length > String(maxN).length ? Infinity : Number(digits); if (n > maxN) " +
          "return { ok: false, reason: 'n too large' }; return { ok: true, n };",
      },
    ],
    checks: [
      {
        test: "accepts ASCII digits",
        zh: '带空白、带前导零的纯数字要接受：" 007\\n" 就是 7',
        hint: 2,
      },
      {
        test: "refuses -5, 1e3, 0x10",
        zh: "-5、1e3、0x10、3.5、+5、1_000、全角数字和空请求都要拒绝，并给出原因",
        hint: 2,
      },
      { test: "not UTF-8", zh: "不是 UTF-8 的字节要拒绝", hint: 1 },
      {
        test: "refuses 17230 and up",
        zh: "超过 17229（或 maxN）的 n 要拒绝，65,507 个 9 也一样",
        hint: 3,
      },
      {
        test: "in milliseconds, not seconds",
        zh: "65,506 个数字加一个字母要在几毫秒内拒绝：正则不能回溯",
        hint: 3,
      },
      {
        test: "exactly the ASCII digit strings",
        zh: "只有纯 ASCII 数字串（两边可有空白）被接受",
        hint: 2,
      },
      {
        test: "06 factorial",
        zh: "敌意输入（随机字节、各种假数字、NUL、空数据报、最大数据报）都得到 ERR 回复",
        hint: 2,
      },
    ],
  },
  {
    id: "06b",
    file: "06_factorial_udp/b_product_tree.ts",
    goal: {
      en: "n! as a product tree: 100,000! in well under a second",
      zh: "用乘积树计算 n!：100,000! 远不到一秒",
    },
    tests: ["tests/06_factorial_udp_factorial.test.ts"],
    hints: [
      {
        en: "The tutorial's f(n) is `j = 1; for i in range(1, n + 1): j = j * i`. Each step " +
          "multiplies the whole product so far, which keeps growing: the work grows with n². " +
          "Look up BigInt (https://developer.mozilla.org/docs/Web/JavaScript/Reference/" +
          'Global_Objects/BigInt) and "binary splitting" (a product tree).',
        zh:
          "教程的 f(n) 是 `j = 1; for i in range(1, n + 1): j = j * i`。每一步都要乘以越来越长的累积乘积：" +
          "工作量随 n² 增长。查一下 BigInt（https://developer.mozilla.org/docs/Web/JavaScript/Reference/" +
          "Global_Objects/BigInt）和“二分乘积”（乘积树）。",
      },
      {
        en: "Write productOf(from, to) = from × (from+1) × ... × to. Split the range in the " +
          "middle, compute both halves the same way, multiply them. Stop at a range of one " +
          "number (BigInt(from)) or none (1n). n! is productOf(2, n).",
        zh: "写一个 productOf(from, to) = from × (from+1) × ... × to。从中间把区间分成两半，" +
          "两半用同样的方法算，再相乘。区间只剩一个数时返回 BigInt(from)，空区间返回 1n。n! 就是 productOf(2, n)。",
      },
      {
        en: "function productOf(from, to) { if (from > to) return 1n; if (from === to) return " +
          "BigInt(from); const middle = Math.floor((from + to) / 2); return productOf(from, " +
          "middle) * productOf(middle + 1, to); } and factorial returns productOf(2, n).",
        zh: "function productOf(from, to) { if (from > to) return 1n; if (from === to) return " +
          "BigInt(from); const middle = Math.floor((from + to) / 2); return productOf(from, " +
          "middle) * productOf(middle + 1, to); }，factorial 返回 productOf(2, n)。",
      },
    ],
    checks: [
      { test: "100,000!", zh: "100,000! 要在几秒内算完：用乘积树，不要用逐个相乘", hint: 1 },
      { test: "textbook values", zh: "小的阶乘要和课本上的值一样：0! = 1! = 1", hint: 2 },
      { test: "agrees with", zh: "结果要和教程的逐个相乘完全一致", hint: 2 },
      { test: "(n + 1)!", zh: "(n + 1)! 要等于 n! 乘以 n + 1", hint: 2 },
      { test: "not a whole number", zh: "n 不是非负整数时抛出 RangeError", hint: 2 },
    ],
  },
  {
    id: "06c",
    file: "06_factorial_udp/c_request_id.ts",
    goal: {
      en: "a request id: take only the reply that echoes it, so no late reply is mistaken for it",
      zh: "请求 id：只接受带回这个 id 的回复，迟到的回复就不会被当成答案",
    },
    tests: TESTS,
    hints: [
      {
        en: "Read lessons/06_factorial_udp/late_replies.ts: what goes wrong without an id. Then " +
          "look at udpRequest's `accepts` option in lib/udp.ts: a function that says whether " +
          "a datagram from the server answers this request.",
        zh:
          "读一下 lessons/06_factorial_udp/late_replies.ts：没有 id 时会出什么错。再看 lib/udp.ts 里 udpRequest 的 " +
          "`accepts` 选项：一个判断服务器发来的数据报是不是这个请求的答案的函数。",
      },
      {
        en: "The request is `#${id} ${n}`. A reply answers it only if it begins with `#${id} `, " +
          "the space included: `#21 5040` begins with `#2` but answers request 21. Strip that " +
          "prefix from the reply you take.",
        zh:
          "请求是 `#${id} ${n}`。只有以 `#${id} `（包括空格）开头的回复才是它的答案：`#21 5040` 以 `#2` 开头，" +
          "却是第 21 个请求的答案。取到回复后去掉这个前缀。",
      },
      {
        en: "const tag = `#${id} `; const reply = await udpRequest(encoder.encode(`${tag}${n}`), " +
          "{ ...options, accepts: (data) => decoder.decode(data).startsWith(tag) }); " +
          "return decoder.decode(reply).slice(tag.length);",
        zh: "const tag = `#${id} `; const reply = await udpRequest(encoder.encode(`${tag}${n}`), " +
          "{ ...options, accepts: (data) => decoder.decode(data).startsWith(tag) }); " +
          "return decoder.decode(reply).slice(tag.length);",
      },
    ],
    checks: [
      { test: "sends #<id> <n>", zh: "发出 #<id> <n>，返回回复里 id 后面的数字", hint: 2 },
      {
        test: "late reply with another id",
        zh: "先到的 #1 120 是别的请求的迟到回复，不能当作答案",
        hint: 1,
      },
      {
        test: "request 21",
        zh: "#21 开头的回复不是第 2 个请求的：比较 id 和它后面的空格",
        hint: 2,
      },
      {
        test: "only other ids come back",
        zh: "只收到别的 id 时，重试完后抛出 TimeoutError",
        hint: 1,
      },
    ],
  },
];
