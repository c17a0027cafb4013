import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { jsonSchemaFiles } from "../src/index.js";
import { DESIGN_MANIFEST, DESIGN_REGISTRY, validDesignRegistry } from "./design-examples.js";

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const schemaDir = join(import.meta.dirname, "..", "schema");
const committed = (name: string) => readFileSync(join(schemaDir, name), "utf8");

describe("generated JSON Schema", () => {
  it("matches the zod source (run `pnpm --filter @baiengine/schema generate` after changing it)", () => {
    for (const [name, content] of Object.entries(jsonSchemaFiles())) {
      expect(committed(name), `schema/${name} is stale`).toBe(content);
    }
  });

  const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
  const registry = ajv.compile(JSON.parse(committed("engines.schema.json")));
  const manifest = ajv.compile(JSON.parse(committed("manifest.schema.json")));

  it("is draft 2020-12", () => {
    expect(JSON.parse(committed("engines.schema.json")).$schema).toBe("https://json-schema.org/draft/2020-12/schema");
  });

  it("validates the design's examples with a validator other than zod (ajv)", () => {
    expect(manifest(DESIGN_MANIFEST)).toBe(true);
    expect(registry(validDesignRegistry())).toBe(true);
    expect(registry(DESIGN_REGISTRY)).toBe(false);
    expect(registry.errors?.map((e) => `${e.instancePath} ${e.keyword}`)).toEqual(["/engines/0/packages/0/sha256 pattern"]);
  });

  it("rejects what the zod schema rejects field by field", () => {
    expect(registry({ ...validDesignRegistry(), baseUrl: "https://x.example/" })).toBe(false);
    expect(registry({ ...validDesignRegistry(), schemaVersion: 2 })).toBe(false);
    expect(manifest({ ...DESIGN_MANIFEST, minAppVersion: "latest" })).toBe(false);
    expect(manifest({ ...DESIGN_MANIFEST, os: "darwin" })).toBe(false);
  });

  it("allows unknown fields, like the zod schema", () => {
    expect(registry({ ...validDesignRegistry(), mirrors: [] })).toBe(true);
    expect(manifest({ ...DESIGN_MANIFEST, build: { anything: true }, extra: 1 })).toBe(true);
  });
});
