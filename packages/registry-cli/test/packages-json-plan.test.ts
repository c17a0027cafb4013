import { parseRegistry, safeParsePackagesIndex } from "@baiengine/schema";
import { describe, expect, it } from "vitest";
import { planMigrate } from "../src/packages-json/plan-migrate.js";
import { toPackagesIndex } from "../src/packages-json/to-packages-index.js";
import { indexNameStyle } from "../src/update/name-style.js";
import { liveFixture } from "./helpers/live-registry.js";

// The conversions and the merge are pure: indexes in, index and changes out.
const now = new Date("2026-05-01T12:00:00.500Z");
const live = () => {
  const parsed = safeParsePackagesIndex(liveFixture("live-packages.json"));
  if (!parsed.ok) throw new Error(parsed.issues.join("\n"));
  return parsed.value;
};

describe("planMigrate", () => {
  it("clears a pre-release the migrated version reaches, and stamps lastUpdated only when the content changes", () => {
    const first = planMigrate(null, live(), {}, now);
    if (!first.ok) throw new Error(first.refusal.reason);
    expect(first.registry.lastUpdated).toBe("2026-04-26T00:51:11Z");
    const withPre = parseRegistry({
      ...first.registry,
      engines: first.registry.engines.map((e) => (e.id === "whisper-cpp" ? { ...e, latestVersion: "26.3.1", packages: [], prerelease: { version: "26.3.2", packages: [] } } : e)),
    });
    const again = planMigrate(withPre, live(), {}, now);
    if (!again.ok) throw new Error(again.refusal.reason);
    expect(again.registry.engines[1]).not.toHaveProperty("prerelease");
    expect(again.changes.items[1]).toMatchObject({ id: "whisper-cpp", version: { from: "26.3.1", to: "26.3.3" }, clearedPrerelease: "26.3.2" });
    expect(again.registry.lastUpdated).toBe("2026-05-01T12:00:00Z");
    const same = planMigrate(first.registry, live(), {}, now);
    expect(same.ok && same.changes.changed).toBe(false);
    expect(same.ok && same.registry.lastUpdated).toBe("2026-04-26T00:51:11Z");
  });

  it("refuses a packages.json whose file names would make an invalid index, naming the fields", () => {
    const index = live();
    index.engines[0]!.latest.packages.push({ ...index.engines[0]!.latest.packages[0]!, sha256: "f".repeat(64) });
    const plan = planMigrate(null, index, {}, now);
    expect(plan.ok ? [] : plan.refusal.details).toEqual(["engines[0].packages[1]: platform macos-aarch64-metal is listed twice (also packages[0])"]);
  });
});

describe("toPackagesIndex", () => {
  it("fills what engines.json lacks with notes, leaves out pre-releases, and keeps design-spelled names as they are", () => {
    const registry = parseRegistry({
      schemaVersion: 1, lastUpdated: "2026-02-03T04:05:06Z", baseUrl: "https://example.com/dl",
      engines: [{
        id: "llama-cpp", name: "llama.cpp", description: "", latestVersion: "b4618", modelFormats: ["gguf"],
        packages: [{ os: "linux", arch: "x86_64", accelerator: "cuda", acceleratorVersion: "12.4", filename: "llama-cpp-b4618-linux-x86_64-cuda12.baiengine", size: 5, sha256: "a".repeat(64) }],
        prerelease: { version: "b4700", packages: [] },
      }],
    });
    const { index, notes } = toPackagesIndex(registry);
    expect(notes).toEqual(["engine llama-cpp has no releaseDate; exported lastUpdated's date 2026-02-03", "engine llama-cpp has no minAppVersion; exported without one"]);
    expect(index["engines"]).toEqual([{
      id: "llama-cpp", name: "llama.cpp", description: "", supportedFormats: ["gguf"], platforms: ["linux"],
      latest: { version: "b4618", releaseDate: "2026-02-03", packages: [{ os: "linux", arch: "x64", filename: "llama-cpp-b4618-linux-x86_64-cuda12.baiengine", size: 5, sha256: "a".repeat(64), accelerator: "cuda12" }] },
    }]);
    expect(index).not.toHaveProperty("runtimes");
    expect(safeParsePackagesIndex(index).ok).toBe(true);
  });
});

describe("indexNameStyle", () => {
  it("is the spelling most published file names use; the design's for an empty index", () => {
    const first = planMigrate(null, live(), {}, now);
    if (!first.ok) throw new Error(first.refusal.reason);
    expect(indexNameStyle(first.registry)).toBe("node");
    expect(indexNameStyle({ ...first.registry, engines: [] })).toBe("design");
  });
});
