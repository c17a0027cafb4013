import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JsonDocumentError, parseJsonDocument, parseStrictJson, safeParseRegistry } from "../src/index.js";

const bytes = (s: string) => Buffer.from(s, "utf8");

describe("the JSON-document reader (strict JSON)", () => {
  it("reads whatever JSON.stringify writes (integers within 2^53) exactly as JSON.parse does", () => {
    // Integers of 16 or more digits may be beyond 2^53, which the strict reader refuses on purpose.
    const json = fc.json({ noUnicodeString: false }).filter((text) => !/\d{16}/.test(text));
    fc.assert(
      fc.property(json, (text) => {
        expect(parseStrictJson(bytes(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
    // 500 generated documents: seconds alone, minutes on a machine shared by several test runs.
  }, 240_000);

  it.each([
    ["a byte-order mark", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes("{}")]), /^\(root\): starts with a UTF-8 byte-order mark \(BOM\).*without BOM/],
    ["a duplicate key", bytes('{"a":1,"b":2,"a":3}'), /^a: repeats the key "a" .* \(line 1, column 14\)/],
    ["a duplicate key in a nested object", bytes('{"x":{"k":1,"k":1}}'), /^x\.k: repeats the key "k"/],
    ["invalid UTF-8", Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), /not valid UTF-8/],
    ["an unpaired surrogate escape", bytes('{"a":"\\ud800"}'), /unpaired surrogate/],
    ["an integer beyond 2^53", bytes('{"a":9007199254740993}'), /round differently/],
    ["a number too large for a double", bytes("[1e400]"), /too large/],
    ["trailing text", bytes("{} {}"), /text after the JSON value/],
    ["a trailing comma", bytes('{"a":1,}'), /object key that is not a string/],
    ["a raw control character in a string", bytes('["a\tb"]'), /control character/],
    ["deep nesting", bytes(`${"[".repeat(100)}${"]".repeat(100)}`), /nests deeper/],
  ])("refuses %s", (_, input, message) => {
    expect(() => parseStrictJson(input)).toThrow(JsonDocumentError);
    expect(() => parseStrictJson(input)).toThrow(message);
  });

  it("accepts escaped surrogate pairs and non-ASCII text", () => {
    expect(parseStrictJson(bytes('{"e":"\\ud83d\\ude00","c":"café"}'))).toEqual({ e: "😀", c: "café" });
  });

  it("names the path of a duplicate key deep in an index, and its line", () => {
    const text = '{\n  "engines": [\n    {"id": "a"},\n    {"id": "b",\n     "packages": [{"sha256": "x", "sha256": "y"}]}\n  ]\n}\n';
    const error = (() => {
      try {
        parseStrictJson(text);
      } catch (e) {
        return e as JsonDocumentError;
      }
      throw new Error("accepted");
    })();
    expect(error).toBeInstanceOf(JsonDocumentError);
    expect(error.path).toBe("engines[1].packages[0].sha256");
    expect(error.line).toBe(5);
    expect(error.message).toMatch(/^engines\[1\]\.packages\[0\]\.sha256: repeats the key "sha256"/);
  });

  it("a BOM given as text (a file read as utf8) is refused the same way", () => {
    expect(() => parseStrictJson("\uFEFF{}")).toThrow(/byte-order mark \(BOM\)/);
  });

  it("parseJsonDocument returns the schema's path: reason lines, or the JSON problem as one", () => {
    expect(parseJsonDocument('{"schemaVersion": 1, "schemaVersion": 1}', safeParseRegistry)).toEqual({ ok: false, issues: [expect.stringMatching(/^schemaVersion: repeats the key/)] });
    const invalid = parseJsonDocument('{"schemaVersion": 2}', safeParseRegistry);
    expect(invalid.ok).toBe(false);
    expect(!invalid.ok && invalid.issues.some((i) => i.startsWith("schemaVersion: "))).toBe(true);
  });
});
