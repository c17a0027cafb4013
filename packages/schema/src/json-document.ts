import { formatIssuePath, type ValidationResult } from "./errors.js";

/**
 * The one JSON-document reader: every JSON file this project reads (engines.json, packages.json,
 * a package's manifest.json, a runtime store's record, a download's resume record, policy and
 * profile data) is parsed here and validated by its schema; callers only read the bytes.
 *
 * JSON as the strictest consumer reads it (RFC 8259 §8.1 and Rust's serde_json, which the app uses):
 * UTF-8 without a byte-order mark, no duplicate object keys (JSON.parse keeps the last, other readers
 * the first or refuse), no unpaired surrogate escapes, numbers that survive a round trip through a
 * double. Anything else is refused with the JSON path and the line and column, instead of read one
 * way here and another there. A byte-order mark is refused and named as such (serde_json refuses it;
 * an editor that wrote one can save "UTF-8 without BOM").
 */
export class JsonDocumentError extends Error {
  constructor(
    /** Where in the document, as `engines[0].packages[1].sha256` (`(root)` for the whole document). */
    readonly path: string,
    /** What is wrong there, as a phrase: `repeats the key "sha256"`. */
    readonly reason: string,
    /** 1-based line and column of the problem in the text (line 1, column 1 for encoding problems). */
    readonly line: number,
    readonly column: number,
  ) {
    super(`${path}: ${reason} (line ${line}, column ${column})`);
    this.name = "JsonDocumentError";
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const MAX_DEPTH = 64;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `bytes` starts with the UTF-8 encoding of U+FEFF. */
function hasBom(bytes: Uint8Array | string): boolean {
  return typeof bytes === "string" ? bytes.charCodeAt(0) === 0xfeff : bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** Parses `input` (bytes, or text already decoded); throws JsonDocumentError naming the first problem. */
export function parseStrictJson(input: Uint8Array | string): unknown {
  if (hasBom(input)) {
    throw new JsonDocumentError("(root)", "starts with a UTF-8 byte-order mark (BOM), which strict readers such as the app's refuse; save the file as UTF-8 without BOM", 1, 1);
  }
  let text: string;
  if (typeof input === "string") text = input;
  else {
    try {
      text = utf8.decode(input);
    } catch {
      throw new JsonDocumentError("(root)", "is not valid UTF-8", 1, 1);
    }
  }
  new Checker(text).document();
  return JSON.parse(text);
}

/**
 * Parses then validates: `validate` is a schema's safeParse (`path: reason` lines). Returns the
 * value, or one `path: reason (line, column)` issue for text that is not strict JSON.
 */
export function parseJsonDocument<T>(input: Uint8Array | string, validate: (json: unknown) => ValidationResult<T>): ValidationResult<T> {
  let json: unknown;
  try {
    json = parseStrictJson(input);
  } catch (error) {
    if (!(error instanceof JsonDocumentError)) throw error;
    return { ok: false, issues: [error.message] };
  }
  return validate(json);
}

/** A recursive-descent walk that only checks; JSON.parse builds the value once the text passed. */
class Checker {
  private p = 0;
  /** The path of the value being read, for messages. */
  private readonly path: (string | number)[] = [];
  constructor(private readonly s: string) {}

  document(): void {
    this.ws();
    this.value(0);
    this.ws();
    if (this.p < this.s.length) this.fail("has text after the JSON value");
  }

  private fail(message: string): never {
    const before = this.s.slice(0, this.p);
    const line = before.split("\n").length;
    const column = this.p - before.lastIndexOf("\n");
    throw new JsonDocumentError(formatIssuePath(this.path), message, line, column);
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
        this.path.push(key);
        this.fail(`repeats the key ${JSON.stringify(key)} (JSON readers keep different copies; remove one)`);
      }
      keys.add(key);
      this.ws();
      if (this.s[this.p] !== ":") this.fail("misses a ':' after an object key");
      this.p++;
      this.ws();
      this.path.push(key);
      this.value(depth + 1);
      this.path.pop();
    });
  }

  private array(depth: number): void {
    let index = 0;
    this.sequence("]", "an array", () => {
      this.path.push(index++);
      this.value(depth + 1);
      this.path.pop();
    });
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
      this.p--;
      if (c !== ",") this.fail(`misses a ',' or '${close}' in ${what}`);
      this.p++;
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
