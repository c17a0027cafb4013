import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { safeParseRegistry } from "../src/index.js";

describe("this repository's own engines.json", () => {
  it("is a valid registry index", () => {
    const index = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "..", "engines.json"), "utf8"));
    expect(safeParseRegistry(index)).toMatchObject({ ok: true });
  });
});
