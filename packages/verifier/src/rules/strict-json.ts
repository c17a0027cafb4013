/**
 * JSON as the strictest consumer reads it (RFC 8259 §8.1 and Rust's serde_json, which the app uses):
 * UTF-8 without a byte-order mark, no duplicate object keys (JSON.parse keeps the last, other readers
 * the first or refuse), no unpaired surrogate escapes, numbers that survive a round trip through a
 * double. Anything else is refused with the byte offset, instead of read one way here and another there.
 */

export class StrictJsonError extends Error {}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const MAX_DEPTH = 64;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Parses `bytes`; throws StrictJsonError naming the first problem. */
export function parseStrictJson(bytes: Uint8Array): unknown {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) throw new StrictJsonError("starts with a UTF-8 byte-order mark (strict readers refuse it, others skip it)");
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new StrictJsonError("is not valid UTF-8");
  }
  new Checker(text).document();
  return JSON.parse(text);
}

/** A recursive-descent walk that only checks; JSON.parse builds the value once the text passed. */
class Checker {
  private p = 0;
  constructor(private readonly s: string) {}

  document(): void {
    this.ws();
    this.value(0);
    this.ws();
    if (this.p < this.s.length) this.fail("has text after the JSON value");
  }

  private fail(message: string): never {
    throw new StrictJsonError(`${message} at character ${this.p}`);
  }

  private ws(): void {
    while (this.p < this.s.length && " \t\n\r".includes(this.s[this.p]!)) this.p++;
  }

  private value(depth: number): void {
    if (depth > MAX_DEPTH) this.fail(`nests deeper than ${MAX_DEPTH} levels`);
    const c = this.s[this.p];
    if (c === "{") {
      this.object(depth);
      return;
    }
    if (c === "[") {
      this.array(depth);
      return;
    }
    if (c === '"') {
      void this.string();
      return;
    }
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) {
      this.number();
      return;
    }
    for (const word of ["true", "false", "null"]) {
      if (this.s.startsWith(word, this.p)) {
        this.p += word.length;
        return;
      }
    }
    this.fail(c === undefined ? "ends where a value was expected" : `has ${JSON.stringify(c)} where a value was expected`);
  }

  private object(depth: number): void {
    const keys = new Set<string>();
    this.sequence("}", "an object", () => {
      if (this.s[this.p] !== '"') this.fail("has an object key that is not a string");
      const at = this.p;
      const key = this.string();
      if (keys.has(key)) {
        this.p = at;
        this.fail(`repeats the key ${JSON.stringify(key)} (readers keep different copies)`);
      }
      keys.add(key);
      this.ws();
      if (this.s[this.p] !== ":") this.fail("misses a ':' after an object key");
      this.p++;
      this.ws();
      this.value(depth + 1);
    });
  }

  private array(depth: number): void {
    this.sequence("]", "an array", () => this.value(depth + 1));
  }

  /** `open item (, item)* close`, the opening bracket at `p`; `item` starts after whitespace. */
  private sequence(close: string, what: string, item: () => void): void {
    this.p++;
    this.ws();
    if (this.s[this.p] === close) {
      this.p++;
      return;
    }
    for (;;) {
      this.ws();
      item();
      this.ws();
      const c = this.s[this.p++];
      if (c === close) return;
      if (c !== ",") this.fail(`misses a ',' or '${close}' in ${what}`);
    }
  }

  /** A string literal's value; escapes checked, unpaired surrogates refused. */
  private string(): string {
    const start = this.p;
    const end = /"|\\|[\u0000-\u001f]/g;
    for (this.p++; ; ) {
      end.lastIndex = this.p;
      const m = end.exec(this.s);
      if (!m) this.fail("has an unterminated string");
      this.p = m.index;
      if (m[0] === '"') break;
      if (m[0] !== "\\") this.fail("has a control character inside a string");
      const e = this.s[this.p + 1];
      if (e === "u") {
        if (!/^[0-9a-fA-F]{4}$/.test(this.s.slice(this.p + 2, this.p + 6))) this.fail("has a bad \\u escape");
        this.p += 6;
      } else if (e !== undefined && '"\\/bfnrt'.includes(e)) this.p += 2;
      else this.fail("has a bad escape");
    }
    this.p++;
    const value = JSON.parse(this.s.slice(start, this.p)) as string;
    if (LONE_SURROGATE.test(value)) this.fail("has a string with an unpaired surrogate (serde_json refuses it)");
    return value;
  }

  private number(): void {
    const m = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    m.lastIndex = this.p;
    const found = m.exec(this.s);
    if (!found) this.fail("has a malformed number");
    const n = Number(found[0]);
    if (!Number.isFinite(n)) this.fail(`has the number ${found[0]}, too large for a double`);
    if (/^-?\d+$/.test(found[0]) && !Number.isSafeInteger(n)) this.fail(`has the integer ${found[0]}, which readers round differently`);
    this.p += found[0].length;
  }
}
