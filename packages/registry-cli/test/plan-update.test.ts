import { type Manifest, parseRegistry, type Registry } from "@baiengine/schema";
import { describe, expect, it } from "vitest";
import type { ScanResult, ScannedPackage } from "../src/update/scan-packages.js";
import { planUpdate } from "../src/update/plan-update.js";

// planUpdate is pure: scans are data (what the verifier reported), so every rule is checked without files.
const now = new Date("2026-02-03T04:05:06.789Z");

function scanned(version: string, accel: "cpu" | "cuda" | "vulkan" = "cpu", cudaVersion: string | null = null, sha = "1", engineId = "llama-cpp"): ScannedPackage {
  const token = cudaVersion ? `${accel}${cudaVersion.split(".")[0]}` : accel;
  const filename = `${engineId}-${version}-linux-x86_64-${token}.baiengine`;
  const manifest = { engineId, version, accelerator: accel, acceleratorVersion: cudaVersion, os: "linux", arch: "x86_64", serverBinary: "llama-server", modelFormats: ["gguf"], minAppVersion: "0.11.0" } as Manifest;
  return { path: `/p/${filename}`, relativePath: filename, filename, check: { file: filename, ok: true, findings: [], sha256: sha.repeat(64), size: 100, manifest } };
}

const scan = (...packages: ScannedPackage[]): ScanResult => ({ packages, badNames: [] });

function registry(extra: Record<string, unknown> = {}): Registry {
  return parseRegistry({
    schemaVersion: 1,
    lastUpdated: "2025-01-10T00:00:00Z",
    baseUrl: "https://example.com/dl",
    engines: [
      {
        id: "llama-cpp", name: "llama.cpp", description: "d", latestVersion: "b4618", modelFormats: ["gguf"],
        packages: [{ os: "linux", arch: "x86_64", accelerator: "cpu", acceleratorVersion: null, filename: "llama-cpp-b4618-linux-x86_64-cpu.baiengine", size: 100, sha256: "1".repeat(64), mirror: "eu" }],
        ...extra,
      },
    ],
  });
}

describe("planUpdate", () => {
  it("re-publishing the same files changes nothing, not even lastUpdated, and keeps unknown entry fields", () => {
    const plan = planUpdate(registry(), scan(scanned("b4618")), { engineId: "llama-cpp", version: "b4618" }, { metadata: null, now });
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(plan.changes.changed).toBe(false);
    expect(plan.changes.unchanged).toEqual(["llama-cpp-b4618-linux-x86_64-cpu.baiengine"]);
    expect(plan.registry.lastUpdated).toBe("2025-01-10T00:00:00Z");
    expect(plan.registry.engines[0]!.packages[0]).toHaveProperty("mirror", "eu");
  });

  it("a rebuilt file of the same version is a replacement and stamps lastUpdated without milliseconds", () => {
    const plan = planUpdate(registry(), scan(scanned("b4618", "cpu", null, "2")), { engineId: "llama-cpp", version: "b4618" }, { metadata: null, now });
    if (!plan.ok) throw new Error(plan.refusal.reason);
    expect(plan.changes.replaced).toEqual(["llama-cpp-b4618-linux-x86_64-cpu.baiengine"]);
    expect(plan.registry.lastUpdated).toBe("2026-02-03T04:05:06Z");
  });

  it("orders build numbers numerically and refuses versions of another scheme", () => {
    expect(planUpdate(registry(), scan(scanned("b10000")), { engineId: "llama-cpp", version: "b10000" }, { metadata: null, now }).ok).toBe(true);
    const mixed = planUpdate(registry(), scan(scanned("1.0.0")), { engineId: "llama-cpp", version: "1.0.0" }, { metadata: null, now });
    expect(mixed.ok ? "" : mixed.refusal.reason).toMatch(/different version schemes/);
    expect(planUpdate(registry(), scan(scanned("1.0.0")), { engineId: "llama-cpp", version: "1.0.0", allowDowngrade: true }, { metadata: null, now }).ok).toBe(true);
  });

  it("a stable release below the pre-release keeps it; one at or above clears it", () => {
    const withPre = registry({ prerelease: { version: "b4700", packages: [] } });
    const below = planUpdate(withPre, scan(scanned("b4650")), { engineId: "llama-cpp", version: "b4650" }, { metadata: null, now });
    if (!below.ok) throw new Error(below.refusal.reason);
    expect(below.registry.engines[0]!.prerelease?.version).toBe("b4700");
    const at = planUpdate(withPre, scan(scanned("b4700")), { engineId: "llama-cpp", version: "b4700" }, { metadata: null, now });
    if (!at.ok) throw new Error(at.refusal.reason);
    expect(at.changes.clearedPrerelease).toBe("b4700");
    expect(at.registry.engines[0]!.prerelease).toBeUndefined();
  });

  it("a new engine needs a profile or --name; a failed verification lists the findings", () => {
    const empty = parseRegistry({ schemaVersion: 1, lastUpdated: "2025-01-10T00:00:00Z", baseUrl: "https://example.com/dl", engines: [] });
    const noName = planUpdate(empty, scan(scanned("1.0.0", "cpu", null, "1", "new-engine")), { engineId: "new-engine", version: "1.0.0" }, { metadata: null, now });
    expect(noName.ok ? "" : noName.refusal.hint).toMatch(/--name/);
    const named = planUpdate(empty, scan(scanned("1.0.0", "cpu", null, "1", "new-engine")), { engineId: "new-engine", version: "1.0.0", name: "New" }, { metadata: null, now });
    expect(named.ok && named.registry.engines[0]).toMatchObject({ id: "new-engine", name: "New", description: "", modelFormats: ["gguf"] });

    const bad = scanned("b4700");
    bad.check = { ...bad.check, ok: false, findings: [{ severity: "error", code: "ENTRY_PATH_TRAVERSAL", path: "../x", message: "escapes the package" }] };
    const refused = planUpdate(registry(), scan(bad), { engineId: "llama-cpp", version: "b4700" }, { metadata: null, now });
    expect(refused.ok ? [] : refused.refusal.details).toEqual(["llama-cpp-b4700-linux-x86_64-cpu.baiengine: ENTRY_PATH_TRAVERSAL ../x: escapes the package"]);
  });
});
