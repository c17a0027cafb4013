import { describe, expect, it } from "vitest";
import { safeParseRegistry, safeParseRegistryWithPlaceholders } from "../src/index.js";
import { DESIGN_REGISTRY } from "./design-examples.js";
import { livePlannedEnginesJson } from "./live-examples.js";

describe("placeholders (the design's planned packages)", () => {
  it("recognises the design's example and the live repository's engines.json, and leaves the planned entries out", () => {
    const design = safeParseRegistryWithPlaceholders(DESIGN_REGISTRY);
    expect(design).toMatchObject({ ok: true });
    if (!design.ok) return;
    expect(design.value.placeholders).toEqual([
      { where: "engines[0].packages[0]", engineId: "llama-cpp", channel: "stable", filename: "llama-cpp-b4618-macos-aarch64-metal.baiengine", platform: "macos-aarch64-metal", fields: 'sha256 "abc123..."' },
    ]);
    expect(design.value.registry.engines[0]!.packages).toEqual([]);
    const live = safeParseRegistryWithPlaceholders(livePlannedEnginesJson());
    expect(live.ok && live.value.placeholders.map((p) => `${p.where} ${p.fields}`)).toEqual(
      Array.from({ length: 7 }, (_v, k) => `engines[0].packages[${k}] size 0, sha256 ""`),
    );
    // Without the leniency, the same file is invalid: placeholders are never valid data.
    expect(safeParseRegistry(livePlannedEnginesJson()).ok).toBe(false);
  });

  it("still reports every other fault of a planned entry", () => {
    const live = livePlannedEnginesJson();
    Object.assign(live.engines[0]!.packages[3]!, { acceleratorVersion: null });
    Object.assign(live.engines[0]!.packages[4]!, { os: "darwin" });
    const result = safeParseRegistryWithPlaceholders(live);
    expect(result.ok ? [] : result.issues).toEqual([
      'engines[0].packages[3].acceleratorVersion: cuda needs its toolkit version (e.g. "12.4"), got null',
      'engines[0].packages[4].os: expected one of macos, linux, windows, got "darwin"',
    ]);
  });
});
