import { type Manifest, parseRegistry, type Registry, safeParseRegistry } from "@baiengine/schema";
import { describe, expect, it } from "vitest";
import { planYank } from "../src/history/yank.js";
import { planMigrate } from "../src/packages-json/plan-migrate.js";
import { toPackagesIndex } from "../src/packages-json/to-packages-index.js";
import { resolvePackage } from "../src/resolve/resolve-package.js";
import type { ScannedPackage, ScanResult } from "../src/update/scan-packages.js";
import { planUpdate, type UpdateOptions } from "../src/update/plan-update.js";
import { historyDisagreements } from "../src/validate/validate-index.js";
import { type PackagesIndex, safeParsePackagesIndex } from "@baiengine/schema";

function parsePackagesIndex(value: unknown): PackagesIndex {
  const parsed = safeParsePackagesIndex(value);
  if (!parsed.ok) throw new Error(parsed.issues.join("; "));
  return parsed.value;
}

// The index's history as data: planUpdate, resolvePackage, planYank, toPackagesIndex and planMigrate are pure.
const now = new Date("2026-03-04T05:06:07Z");
const linux = { request: { os: "linux" as const, arch: "x86_64" as const } };
const cuda = { request: { os: "linux" as const, arch: "x86_64" as const, accel: "cuda12" } };

function scanned(version: string, accel: "cpu" | "cuda" = "cpu", sha = "1"): ScannedPackage {
  const token = accel === "cuda" ? "cuda12" : "cpu";
  const filename = `hello-${version}-linux-x86_64-${token}.baiengine`;
  const manifest = { engineId: "hello", version, accelerator: accel, acceleratorVersion: accel === "cuda" ? "12.4" : null, os: "linux", arch: "x86_64", serverBinary: "hello-server", modelFormats: ["gguf"], minAppVersion: "0.11.0" } as Manifest;
  return { path: `/p/${filename}`, relativePath: filename, filename, check: { file: filename, ok: true, findings: [], sha256: sha.repeat(64), size: 100, manifest } };
}
const scan = (...packages: ScannedPackage[]): ScanResult => ({ packages, badNames: [] });

function start(): Registry {
  return parseRegistry({ schemaVersion: 1, lastUpdated: "2025-01-10T00:00:00Z", baseUrl: "https://example.com/dl", engines: [] });
}

function publish(registry: Registry, version: string, packages: ScannedPackage[], options: Partial<UpdateOptions> = {}): Registry {
  const plan = planUpdate(registry, scan(...packages), { engineId: "hello", version, name: "Hello", ...options }, { metadata: null, now });
  if (!plan.ok) throw new Error(`${plan.refusal.reason}: ${plan.refusal.details.join("; ")}`);
  return plan.registry;
}

/** 0.1.0 (cpu + cuda12), 0.2.0 (cpu + cuda12), 0.3.0 (cpu only), then beta 0.4.0-beta.1 (cpu). */
function history(): Registry {
  let r = publish(start(), "0.1.0", [scanned("0.1.0"), scanned("0.1.0", "cuda")]);
  r = publish(r, "0.2.0", [scanned("0.2.0"), scanned("0.2.0", "cuda")]);
  r = publish(r, "0.3.0", [scanned("0.3.0")]);
  return publish(r, "0.4.0-beta.1", [scanned("0.4.0-beta.1")], { channel: "beta" });
}

describe("update keeps the index's history", () => {
  it("a first version keeps the design's shape; each later one is appended to versions[], the latest staying in latestVersion/packages", () => {
    const first = publish(start(), "0.1.0", [scanned("0.1.0")]);
    expect(first.engines[0]!.versions).toBeUndefined();
    const r = history();
    const engine = r.engines[0]!;
    expect(engine.latestVersion).toBe("0.3.0");
    expect(engine.packages.map((p) => p.filename)).toEqual(["hello-0.3.0-linux-x86_64-cpu.baiengine"]);
    expect(engine.versions!.map((v) => [v.version, v.channel ?? "stable", v.packages.length, v.releaseDate])).toEqual([
      ["0.1.0", "stable", 2, "2026-03-04"],
      ["0.2.0", "stable", 2, "2026-03-04"],
      ["0.3.0", "stable", 1, "2026-03-04"],
      ["0.4.0-beta.1", "beta", 1, "2026-03-04"],
    ]);
    expect(safeParseRegistry(r).ok).toBe(true);
    expect(historyDisagreements(r)).toEqual([]);
  });

  it("re-publishing a version changes its entry, not the history's length; a beta below the channel's newest is refused", () => {
    const r = history();
    const again = planUpdate(r, scan(scanned("0.3.0")), { engineId: "hello", version: "0.3.0" }, { metadata: null, now });
    expect(again.ok && again.changes.changed).toBe(false);
    const rebuilt = publish(r, "0.3.0", [scanned("0.3.0", "cpu", "2")]);
    expect(rebuilt.engines[0]!.versions!.length).toBe(4);
    expect(rebuilt.engines[0]!.versions![2]!.packages[0]!.sha256).toBe("2".repeat(64));
    const lower = planUpdate(r, scan(scanned("0.3.5-beta.1")), { engineId: "hello", version: "0.3.5-beta.1", channel: "beta" }, { metadata: null, now });
    expect(lower.ok ? "" : lower.refusal.reason).toBe("version 0.3.5-beta.1 is not above the beta channel's 0.4.0-beta.1");
    const taken = planUpdate(r, scan(scanned("0.2.0")), { engineId: "hello", version: "0.2.0", channel: "beta" }, { metadata: null, now });
    expect(taken.ok ? "" : taken.refusal.reason).toBe("version 0.2.0 is already published in the stable channel");
  });

  it("the schema refuses a version listed twice and a latestVersion filed under another channel", () => {
    const r = history();
    const twice = structuredClone(r);
    twice.engines[0]!.versions!.push(structuredClone(twice.engines[0]!.versions![0]!));
    expect(safeParseRegistry(twice)).toMatchObject({ ok: false, issues: ['engines[0].versions[4].version: version "0.1.0" is listed twice (also versions[0])'] });
    const beta = structuredClone(r);
    beta.engines[0]!.versions![2]!.channel = "beta";
    expect(safeParseRegistry(beta)).toMatchObject({ ok: false, issues: ['engines[0].versions[2].channel: version "0.3.0" is the engine\'s latestVersion, so its channel is stable, got "beta"'] });
  });

  it("validate reports a history entry a tool without history contradicted (it rewrote packages only)", () => {
    const r = history();
    r.engines[0]!.packages = [{ ...r.engines[0]!.packages[0]!, sha256: "9".repeat(64) }];
    expect(historyDisagreements(r)).toEqual([
      { where: "engines[0].versions[2]", message: "hello 0.3.0: its packages differ from the engine's packages (what apps read); re-run update for that version to record them" },
    ]);
  });
});

describe("resolve over the history", () => {
  it("takes the newest stable version with a package for the platform, skipping a release without one, with the reason", () => {
    const r = history();
    expect(resolvePackage(r, "hello", linux)).toMatchObject({ version: "0.3.0", channel: "stable" });
    const gpu = resolvePackage(r, "hello", cuda);
    expect(gpu.version).toBe("0.2.0");
    expect(gpu.reasons[0]).toBe("0.3.0: skipped, no package fits (no linux-x86_64-cuda12 package; available: linux-x86_64-cpu)");
    expect(gpu.url).toBe("https://example.com/dl/hello-v0.2.0/hello-0.2.0-linux-x86_64-cuda12.baiengine");
  });

  it("passes over a yanked version with its reason; installs it only by exact version, with a warning", () => {
    const r = planYank(history(), "hello", "0.3.0", "crashes on load", now).registry;
    const taken = resolvePackage(r, "hello", linux);
    expect(taken.version).toBe("0.2.0");
    expect(taken.reasons[0]).toBe("0.3.0: skipped, yanked (crashes on load)");
    const exact = resolvePackage(r, "hello", linux, { version: "0.3.0" });
    expect(exact).toMatchObject({ version: "0.3.0", yanked: { reason: "crashes on load", date: "2026-03-04" } });
    expect(exact.reasons[0]).toBe("0.3.0: yanked (crashes on load); taken because it was asked for by exact version");
    expect(() => resolvePackage(r, "hello", linux, { version: "0.9.0" })).toThrow("engine hello has no version 0.9.0 in the index");
  });

  it("a channel picks its own versions; an older version is installable by exact version; unknown channels are refused", () => {
    const r = history();
    expect(resolvePackage(r, "hello", linux, { channel: "beta" })).toMatchObject({ version: "0.4.0-beta.1", channel: "beta" });
    expect(resolvePackage(r, "hello", linux, { version: "0.1.0" })).toMatchObject({ version: "0.1.0", channel: "stable", url: "https://example.com/dl/hello-v0.1.0/hello-0.1.0-linux-x86_64-cpu.baiengine" });
    expect(() => resolvePackage(r, "hello", linux, { channel: "nightly" })).toThrow("engine hello has no nightly version");
  });

  it("when every version is yanked or lacks the platform, the refusal says so for each", () => {
    let r = history();
    for (const v of ["0.1.0", "0.2.0"]) r = planYank(r, "hello", v, `bad ${v}`, now).registry;
    expect(() => resolvePackage(r, "hello", cuda)).toThrow(/no package of hello 0.3.0 fits: no linux-x86_64-cuda12 package; available: linux-x86_64-cpu; 0.2.0: skipped, yanked \(bad 0.2.0\); 0.1.0: skipped, yanked \(bad 0.1.0\)/);
  });
});

describe("yank, export and migrate", () => {
  it("yank creates the history when the index had none, unyank clears it, and repeating either changes nothing", () => {
    const one = publish(start(), "0.1.0", [scanned("0.1.0")]);
    const yanked = planYank(one, "hello", "0.1.0", "wrong build", now);
    expect(yanked.change).toEqual({ engineId: "hello", version: "0.1.0", yanked: true, reason: "wrong build", changed: true });
    expect(yanked.registry.engines[0]!.versions).toEqual([{ version: "0.1.0", releaseDate: "2026-03-04", minAppVersion: "0.11.0", packages: one.engines[0]!.packages, yanked: { reason: "wrong build", date: "2026-03-04" } }]);
    expect(yanked.registry.engines[0]!.latestVersion).toBe("0.1.0");
    expect(planYank(yanked.registry, "hello", "0.1.0", "wrong build", new Date("2026-05-01T00:00:00Z")).change.changed).toBe(false);
    const back = planYank(yanked.registry, "hello", "0.1.0", null, now);
    expect(back.registry.engines[0]!.versions![0]!.yanked).toBeUndefined();
    expect(() => planYank(one, "hello", "0.7.0", "x", now)).toThrow("hello has no published version 0.7.0");
  });

  it("export writes only latest, the newest stable version not yanked; migrating that export back changes nothing", () => {
    const r = history();
    const live = toPackagesIndex(r);
    const engines = live.index["engines"] as { latest: { version: string; packages: unknown[] } }[];
    expect(engines[0]!.latest.version).toBe("0.3.0");
    expect(Object.keys(engines[0]!)).not.toContain("versions");
    const yanked = planYank(r, "hello", "0.3.0", "crashes on load", now).registry;
    const exported = toPackagesIndex(yanked);
    expect((exported.index["engines"] as { latest: { version: string; packages: unknown[] } }[])[0]!.latest).toMatchObject({ version: "0.2.0" });
    expect(exported.notes).toContain("engine hello: latestVersion 0.3.0 is yanked (crashes on load); exported 0.2.0 as latest");
    const migrated = planMigrate(yanked, parsePackagesIndex(exported.index), {}, now);
    expect(migrated.ok && migrated.changes.changed).toBe(false);
  });

  it("migrate of a newer packages.json keeps the version it replaces in versions[]", () => {
    const r = publish(start(), "0.1.0", [scanned("0.1.0")]);
    const newer = toPackagesIndex(publish(r, "0.2.0", [scanned("0.2.0")])).index;
    const plan = planMigrate(r, parsePackagesIndex(newer), {}, now);
    if (!plan.ok) throw new Error(plan.refusal.reason);
    expect(plan.registry.engines[0]!.latestVersion).toBe("0.2.0");
    expect(plan.registry.engines[0]!.versions!.map((v) => v.version)).toEqual(["0.1.0", "0.2.0"]);
  });
});
