import { copyFile, mkdir, readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { liveFixture, rekeyed } from "./helpers/live-registry.js";
import { makePackage } from "./helpers/packages.js";
import { writeJson } from "./helpers/registry-fixtures.js";
import { runCli } from "./helpers/run-cli.js";
import { tempDir } from "@baiengine/test-kit";

// The packer's hello engine (linux-x86_64-cpu, built by the real packer in global-setup) and a cuda12 package beside it.
const packed = inject("packedHello");
const version = packed.version;
let registry: string;
let packages: string;

/** The design's example engines.json, verbatim (re-keyed to the hello engine where used: the packages come from it). */
const DESIGN_EXAMPLE = liveFixture("design-engines.json");

const today = () => new Date().toISOString().slice(0, 10);
const update = (...extra: string[]) => runCli(["update", "--registry", registry, "--engine", "hello", "--version", version, "--packages-dir", packages, ...extra]);
const readJson = async (path: string) => JSON.parse(await readFile(path, "utf8"));

beforeEach(async () => {
  const dir = await tempDir();
  registry = join(dir, "engines.json");
  packages = join(dir, "packages");
  await mkdir(packages);
  await copyFile(packed.file, join(packages, basename(packed.file)));
  await copyFile(`${packed.file}.sha256`, join(packages, `${basename(packed.file)}.sha256`));
  await makePackage(packages, { version, accelerator: "cuda", acceleratorVersion: "12.4" });
});

describe("the design's placeholder workflow", () => {
  it("the live repository's engines.json (seven planned packages): validate names each, update fills what the folder holds", async () => {
    await writeJson(registry, rekeyed(liveFixture("live-engines-planned.json"), "hello", version));
    const planned = await runCli(["validate", "--registry", registry]);
    expect(planned.code).toBe(1);
    const lines = planned.stderr.trim().split("\n");
    expect(lines).toHaveLength(7);
    expect(lines[0]).toBe(`error: engines[0].packages[0]: hello-${version}-macos-aarch64-metal.baiengine: planned, not published (size 0, sha256 "")`);

    const result = await update();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`hello: latestVersion ${version} -> ${version} (released ${today()})`);
    expect(result.stdout).toContain(`  + hello-${version}-linux-x86_64-cpu.baiengine`);
    expect(result.stdout).toContain(`  + hello-${version}-linux-x86_64-cuda12.baiengine`);
    for (const p of ["macos-aarch64-metal", "macos-aarch64-cpu", "macos-x86_64-cpu", "windows-x86_64-cuda12", "windows-x86_64-cpu"]) {
      expect(result.stdout).toContain(`  ? hello-${version}-${p}.baiengine: planned, no file in the packages folder: not published`);
    }
    const index = await readJson(registry);
    expect(index.engines[0].packages.map((p: { filename: string }) => p.filename)).toEqual([`hello-${version}-linux-x86_64-cpu.baiengine`, `hello-${version}-linux-x86_64-cuda12.baiengine`]);
    expect(index.engines[0].packages[0]).toMatchObject({ size: packed.size, sha256: packed.sha256 });
    expect(index.engines[0]).toMatchObject({ releaseDate: today(), minAppVersion: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    const valid = await runCli(["validate", "--registry", registry, "--packages-dir", packages]);
    expect(valid.code, valid.stderr).toBe(0);
  });

  it("the design's example index (sha256 \"abc123...\") comes out valid with the real package and its planned platform listed", async () => {
    await writeJson(registry, rekeyed(DESIGN_EXAMPLE, "hello", version));
    const result = await update();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`  ? hello-${version}-macos-aarch64-metal.baiengine: planned, no file in the packages folder: not published`);
    expect((await readJson(registry)).engines[0].packages).toHaveLength(2);
    expect((await runCli(["validate", "--registry", registry, "--packages-dir", packages])).code).toBe(0);
  });

  it("refuses placeholders outside the packages it rewrites, leaving the index untouched", async () => {
    const index = rekeyed(DESIGN_EXAMPLE, "hello", version);
    index.engines.push(structuredClone(DESIGN_EXAMPLE.engines[0]));
    await writeJson(registry, index);
    const before = await readFile(registry);
    const result = await update();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("engines.json has planned packages (placeholders) outside hello's stable packages");
    expect(result.stderr).toContain('engines[1].packages[0]: llama-cpp-b4618-macos-aarch64-metal.baiengine: planned, not published (sha256 "abc123...")');
    expect((await readFile(registry)).equals(before)).toBe(true);
  });
});

describe("releaseDate", () => {
  it("is set when a version is published and never rewritten by a re-run or a rebuild of that version", async () => {
    await writeJson(registry, { schemaVersion: 1, lastUpdated: "2025-01-10T00:00:00Z", baseUrl: "https://example.invalid/dl", engines: [] });
    expect((await update()).code).toBe(0);
    expect((await readJson(registry)).engines[0].releaseDate).toBe(today());
    // As if published long ago: neither a re-run nor a rebuilt file of the same version moves it.
    const index = await readJson(registry);
    index.engines[0].releaseDate = "2020-01-01";
    await writeJson(registry, index);
    expect((await update()).stdout).toContain("no change");
    await makePackage(packages, { version, accelerator: "cuda", acceleratorVersion: "12.4", payload: "rebuilt" });
    const rebuilt = await update();
    expect(rebuilt.stdout).toContain(`  ~ hello-${version}-linux-x86_64-cuda12.baiengine`);
    expect((await readJson(registry)).engines[0].releaseDate).toBe("2020-01-01");
  });
});

describe("file names in the index's spelling", () => {
  it("an index published with Node's spellings gets new packages named alike (file and .sha256 renamed before the write)", async () => {
    const sha = "c".repeat(64);
    await writeJson(registry, {
      schemaVersion: 1, lastUpdated: "2026-04-26T00:51:11Z", baseUrl: "https://example.invalid/dl",
      engines: [{ id: "hello", name: "Hello", description: "", latestVersion: "0.0.1", releaseDate: "2026-01-11", modelFormats: ["gguf"], packages: [{ os: "linux", arch: "x86_64", accelerator: "cpu", acceleratorVersion: null, filename: "hello-0.0.1-linux-x64-cpu.baiengine", size: 1, sha256: sha }] }],
    });
    const dry = await runCli(["name-packages", "--registry", registry, "--engine", "hello", "--version", version, "--packages-dir", packages, "--dry-run"]);
    expect(dry.stdout).toContain(`would rename ${join(packages, basename(packed.file))} -> hello-${version}-linux-x64-cpu.baiengine`);
    expect(await readdir(packages)).toContain(basename(packed.file));

    const result = await update();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`renamed ${join(packages, basename(packed.file))} -> hello-${version}-linux-x64-cpu.baiengine`);
    expect(result.stdout).toContain(`  ~ hello-${version}-linux-x64-cpu.baiengine`);
    expect(result.stdout).toContain(`  + hello-${version}-linux-x64-cuda12.baiengine`);
    expect((await readdir(packages)).sort()).toEqual([`hello-${version}-linux-x64-cpu.baiengine`, `hello-${version}-linux-x64-cpu.baiengine.sha256`, `hello-${version}-linux-x64-cuda12.baiengine`]);
    expect(await readFile(join(packages, `hello-${version}-linux-x64-cpu.baiengine.sha256`), "utf8")).toBe(`${packed.sha256}  hello-${version}-linux-x64-cpu.baiengine\n`);
    expect((await readJson(registry)).engines[0].packages[0]).toMatchObject({ filename: `hello-${version}-linux-x64-cpu.baiengine`, sha256: packed.sha256 });
    expect((await runCli(["validate", "--registry", registry, "--packages-dir", packages])).code).toBe(0);
    expect((await runCli(["name-packages", "--registry", registry, "--engine", "hello", "--version", version, "--packages-dir", packages])).stdout).toContain("already spelled the index's way (node)");
  });
});
