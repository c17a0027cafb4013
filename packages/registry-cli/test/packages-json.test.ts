import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { safeParsePackagesIndex } from "@baiengine/schema";
import { beforeEach, describe, expect, it } from "vitest";
import { liveFixture, liveFixturePath } from "./helpers/live-registry.js";
import { writeJson } from "./helpers/registry-fixtures.js";
import { runCli } from "./helpers/run-cli.js";
import { tempDir } from "@baiengine/test-kit";

let dir: string;
let engines: string;
beforeEach(async () => {
  dir = await tempDir();
  engines = join(dir, "engines.json");
});

type Live = ReturnType<typeof liveFixture>;
const sortBy = <T extends { filename: string }>(list: T[]) => [...list].sort((a, b) => (a.filename < b.filename ? -1 : 1));

/** What the round trip must keep: engines, versions, dates, packages (name, size, sha256, platform, accelerator) and runtimes. */
function essentials(index: Live) {
  return {
    baseUrl: index.baseUrl,
    engines: index.engines.map((e: Live) => ({
      id: e.id, name: e.name, description: e.description, supportedFormats: e.supportedFormats, platforms: e.platforms,
      version: e.latest.version, releaseDate: e.latest.releaseDate, minAppVersion: e.latest.minAppVersion,
      packages: sortBy(e.latest.packages.map(({ os, arch, filename, size, sha256, accelerator }: Live) => ({ os, arch, filename, size, sha256, accelerator }))),
    })),
    runtimes: (index.runtimes ?? []).map((r: Live) => ({ ...r, latest: { ...r.latest, packages: sortBy(r.latest.packages) } })),
  };
}

async function migrate(from: string, ...extra: string[]) {
  return runCli(["migrate", "--from", from, "--to", engines, ...extra]);
}

async function exported(): Promise<Live> {
  const result = await runCli(["export", "--format", "packages-json", "--registry", engines]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe("migrate then export (the app's live packages.json)", () => {
  it.each(["live-packages.json", "live-packages-2026-01.json"] as const)("gives back the same engines, packages and runtimes from %s", async (name) => {
    const result = await migrate(liveFixturePath(name));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("engine llama-cpp: (new) -> 26.4.20 (released 2026-04-20)");
    expect(result.stdout).toContain("runtime cuda13-runtime: (new) -> 26.2.26 (released 2026-02-26)");
    const index = JSON.parse(await readFile(engines, "utf8"));
    // Design spellings in the fields, variants split out, published names untouched.
    expect(index.engines[0].packages).toContainEqual(expect.objectContaining({ os: "linux", arch: "aarch64", accelerator: "cuda", acceleratorVersion: "13", variant: "gh200", filename: "llama-cpp-26.4.20-linux-arm64-cuda13-gh200.baiengine" }));
    expect(index.runtimes[0].packages[0]).toMatchObject({ os: "windows", arch: "x86_64", filename: "cuda13-runtime-13.1.0-win32-x64.bairuntime" });
    expect((await runCli(["validate", "--registry", engines])).code).toBe(0);

    const back = await exported();
    expect(safeParsePackagesIndex(back).ok).toBe(true);
    expect(essentials(back)).toEqual(essentials(liveFixture("live-packages.json")));
    expect(back.lastUpdated).toBe("2026-04-26T00:51:11Z");
    // The current live key order, with no acceleratorVersion.
    expect(Object.keys(back.engines[0].latest.packages[0])).toEqual(["os", "arch", "filename", "size", "sha256", "accelerator"]);
  });

  it("migrates a packages.json without runtimes, and export writes --out atomically", async () => {
    const { runtimes: _r, ...noRuntimes } = liveFixture("live-packages.json");
    const from = join(dir, "packages.json");
    await writeJson(from, noRuntimes);
    expect((await migrate(from)).code).toBe(0);
    const out = join(dir, "out", "..", "packages-out.json");
    const written = await runCli(["export", "--format", "packages-json", "--registry", engines, "--out", out]);
    expect(written.code, written.stderr).toBe(0);
    const back = JSON.parse(await readFile(out, "utf8"));
    expect(back).not.toHaveProperty("runtimes");
    expect(essentials(back)).toEqual(essentials(noRuntimes));
  });

  it("merges into an existing index like update: never lowers a published version unless --allow-downgrade", async () => {
    expect((await migrate(liveFixturePath("live-packages.json"))).code).toBe(0);
    const before = await readFile(engines);
    // An older packages.json (the regeneration that rolled llama-cpp back) is refused whole; the index stays byte for byte.
    const old = liveFixture("live-packages.json");
    old.engines[0].latest.version = "0.0.1";
    for (const p of old.engines[0].latest.packages) p.filename = p.filename.replace("26.4.20", "0.0.1");
    old.runtimes[0].latest.version = "0.0.2";
    const from = join(dir, "old.json");
    await writeJson(from, old);
    const refused = await migrate(from);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("packages.json would lower versions the index has published");
    expect(refused.stderr).toContain("engine llama-cpp: version 0.0.1 is not above the current 26.4.20");
    expect(refused.stderr).toContain("runtime cuda13-runtime: version 0.0.2 is not above the current 26.2.26");
    expect((await readFile(engines)).equals(before)).toBe(true);
    expect((await migrate(from, "--allow-downgrade")).code).toBe(0);
    expect(JSON.parse(await readFile(engines, "utf8")).engines[0].latestVersion).toBe("0.0.1");
  });

  it("keeps the index's releaseDate when a regeneration re-dates the same version, takes the new one with a new version", async () => {
    expect((await migrate(liveFixturePath("live-packages.json"))).code).toBe(0);
    const regenerated = liveFixture("live-packages.json");
    for (const e of regenerated.engines) e.latest.releaseDate = "2026-04-26";
    regenerated.engines[1].latest.version = "26.4.1";
    for (const p of regenerated.engines[1].latest.packages) p.filename = p.filename.replace("26.3.3", "26.4.1");
    const from = join(dir, "regenerated.json");
    await writeJson(from, regenerated);
    const result = await migrate(from);
    expect(result.code, result.stderr).toBe(0);
    const index = JSON.parse(await readFile(engines, "utf8"));
    expect(index.engines.map((e: Live) => [e.id, e.latestVersion, e.releaseDate])).toEqual([["llama-cpp", "26.4.20", "2026-04-20"], ["whisper-cpp", "26.4.1", "2026-04-26"]]);
    expect(result.stdout).toContain("  ~ whisper-cpp-26.4.1-win32-x64-cpu.baiengine"); // replaced by platform, as update does
  });

  it("refuses in one line: a packages.json that does not parse, another baseUrl, an unknown format", async () => {
    const bad = liveFixture("live-packages.json");
    bad.engines[0].latest.packages[0].accelerator = "cuda";
    const from = join(dir, "bad.json");
    await writeJson(from, bad);
    const invalid = await migrate(from);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/bad\.json is invalid: engines\[0\]\.latest\.packages\[0\]\.accelerator: accelerator token "cuda" needs the toolkit's major version/);
    expect((await migrate(liveFixturePath("live-packages.json"))).code).toBe(0);
    const moved = liveFixture("live-packages.json");
    moved.baseUrl = "https://cdn.example.com/engines";
    await writeJson(from, moved);
    const other = await migrate(from);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain("packages.json's baseUrl https://cdn.example.com/engines is not the index's https://github.com/lablup/backend.ai-go-engine-registry/releases/download");
    const format = await runCli(["export", "--format", "yaml", "--registry", engines]);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("--format yaml is not a known format");
  });
});
