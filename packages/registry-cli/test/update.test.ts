import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { makePackage } from "./helpers/packages.js";
import { emptyRegistry, registryWithUnknownFields, writeJson } from "./helpers/registry-fixtures.js";
import { runCli } from "./helpers/run-cli.js";
import { tempDir } from "@baiengine/test-kit";

let dir: string;
let registry: string;
let packages: string;

async function publish(version: string, extraArgs: string[] = [], folder = packages) {
  return runCli(["update", "--registry", registry, "--engine", "hello", "--version", version, "--packages-dir", folder, ...extraArgs]);
}

async function expectRefusal(args: Promise<Awaited<ReturnType<typeof runCli>>>, message: RegExp) {
  const before = await readFile(registry);
  const result = await args;
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(message);
  expect((await readFile(registry)).equals(before)).toBe(true);
  return result;
}

beforeEach(async () => {
  dir = await tempDir();
  registry = join(dir, "engines.json");
  packages = join(dir, "packages");
  await writeJson(registry, emptyRegistry());
});

describe("update", () => {
  it("publishes a new engine from verified packages, sorted, with the packer profile's metadata; a rerun changes nothing", async () => {
    const cuda = await makePackage(packages, { version: "0.5.0", accelerator: "cuda", acceleratorVersion: "12.4" });
    const cpu = await makePackage(packages, { version: "0.5.0" });
    await makePackage(packages, { version: "0.4.0" }); // another version in the folder: ignored
    const result = await publish("0.5.0");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("hello: latestVersion (new engine) -> 0.5.0");
    const index = JSON.parse(await readFile(registry, "utf8"));
    const engine = index.engines[0];
    expect(engine).toMatchObject({ id: "hello", latestVersion: "0.5.0" });
    expect(engine.name.length).toBeGreaterThan(0);
    expect(engine.packages.map((p: { filename: string }) => p.filename)).toEqual([cpu.filename, cuda.filename]);
    // installedSize: the tar stream's length (what extraction writes at most), for install's disk-space check.
    expect(engine.packages[0]).toEqual({ os: "linux", arch: "x86_64", accelerator: "cpu", acceleratorVersion: null, filename: cpu.filename, size: cpu.size, sha256: cpu.sha256, installedSize: expect.any(Number) });
    expect(engine.packages[0].installedSize).toBeGreaterThan(cpu.size);
    expect(engine.packages[1]).toMatchObject({ accelerator: "cuda", acceleratorVersion: "12.4", sha256: cuda.sha256 });
    expect(index.lastUpdated).not.toBe("2025-01-10T00:00:00Z");

    const text = await readFile(registry, "utf8");
    const again = await publish("0.5.0");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("no change");
    expect(await readFile(registry, "utf8")).toBe(text);

    const validate = await runCli(["validate", "--registry", registry, "--packages-dir", packages]);
    expect(validate.code, validate.stderr).toBe(0);
    const list = await runCli(["list", "--registry", registry]);
    expect(list.stdout).toMatch(/hello\s+stable\s+0\.5\.0\s+linux-x86_64-cpu/);

    // A file that no longer matches the index is reported.
    await writeFile(cpu.path, "replaced behind the index's back");
    const stale = await runCli(["validate", "--registry", registry, "--packages-dir", packages]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`${cpu.filename} has 32 bytes, the index says ${cpu.size}`);
  });

  it("a new version replaces and removes platforms and keeps unknown fields at every level", async () => {
    const start = registryWithUnknownFields();
    (start["engines"] as unknown[]).push({
      id: "hello", name: "Hello", description: "fixture", latestVersion: "0.5.0", modelFormats: ["gguf"], xKeep: 1,
      packages: [
        { os: "linux", arch: "x86_64", accelerator: "cpu", acceleratorVersion: null, filename: "hello-0.5.0-linux-x86_64-cpu.baiengine", size: 10, sha256: "b".repeat(64) },
        { os: "linux", arch: "x86_64", accelerator: "vulkan", acceleratorVersion: null, filename: "hello-0.5.0-linux-x86_64-vulkan.baiengine", size: 10, sha256: "c".repeat(64) },
      ],
    });
    await writeJson(registry, start);
    await makePackage(packages, { version: "0.10.0" });
    await makePackage(packages, { version: "0.10.0", accelerator: "cuda", acceleratorVersion: "13.0" });
    const result = await publish("0.10.0", ["--json"]);
    expect(result.code, result.stderr).toBe(0);
    const { changes } = JSON.parse(result.stdout);
    expect(changes.added).toEqual(["hello-0.10.0-linux-x86_64-cuda13.baiengine"]);
    expect(changes.replaced).toEqual(["hello-0.10.0-linux-x86_64-cpu.baiengine"]);
    expect(changes.removed).toEqual(["hello-0.5.0-linux-x86_64-vulkan.baiengine"]);
    const index = JSON.parse(await readFile(registry, "utf8"));
    expect(index.futureTopLevel).toEqual([1, 2, 3]);
    expect(index.engines[0].xEngineNote).toBe("kept");
    expect(index.engines[0].packages[0].mirrorHint).toEqual({ region: "eu", weight: 2 });
    expect(index.engines[0].prerelease.zPre).toBe(true);
    expect(index.engines[1].xKeep).toBe(1);
    expect(index.engines[1].name).toBe("Hello");
  });

  it("--dry-run prints the plan and writes nothing", async () => {
    await makePackage(packages, { version: "0.5.0" });
    const before = await readFile(registry);
    const result = await publish("0.5.0", ["--dry-run"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("dry run");
    expect(result.stdout).toContain("+ hello-0.5.0-linux-x86_64-cpu.baiengine");
    expect((await readFile(registry)).equals(before)).toBe(true);
  });

  it("--prerelease never touches what stable users get; a stable release at or above it clears it", async () => {
    await makePackage(packages, { version: "0.5.0" });
    expect((await publish("0.5.0")).code).toBe(0);
    const stable = JSON.parse(await readFile(registry, "utf8")).engines[0];
    await makePackage(packages, { version: "0.6.0-rc.1" });
    const pre = await publish("0.6.0-rc.1", ["--prerelease"]);
    expect(pre.code, pre.stderr).toBe(0);
    let engine = JSON.parse(await readFile(registry, "utf8")).engines[0];
    expect(engine.latestVersion).toBe("0.5.0");
    expect(engine.packages).toEqual(stable.packages);
    expect(engine.prerelease.version).toBe("0.6.0-rc.1");
    expect(engine.prerelease.packages[0].filename).toBe("hello-0.6.0-rc.1-linux-x86_64-cpu.baiengine");
    const resolved = await runCli(["resolve", "--registry", registry, "--engine", "hello", "--os", "linux", "--arch", "x86_64", "--prerelease"]);
    expect(resolved.stdout).toContain("/hello-v0.6.0-rc.1/hello-0.6.0-rc.1-linux-x86_64-cpu.baiengine");

    await makePackage(packages, { version: "0.6.0" });
    const release = await publish("0.6.0");
    expect(release.stdout).toContain("pre-release 0.6.0-rc.1 cleared");
    engine = JSON.parse(await readFile(registry, "utf8")).engines[0];
    expect(engine.latestVersion).toBe("0.6.0");
    expect(engine.prerelease).toBeUndefined();
  });

  describe("refusals leave engines.json byte-for-byte untouched", () => {
    beforeEach(async () => {
      await makePackage(packages, { version: "0.5.0" });
      expect((await publish("0.5.0")).code).toBe(0);
    });

    it("a package that fails verification", async () => {
      const bad = join(dir, "bad");
      await makePackage(bad, { version: "0.6.0" });
      // Its manifest says cuda while the name says cpu.
      const liar = await makePackage(join(dir, "liar"), { version: "0.6.0", accelerator: "vulkan" });
      await copyFile(liar.path, join(bad, "hello-0.6.0-linux-x86_64-cpu.baiengine.tmp"));
      const { rename } = await import("node:fs/promises");
      await rename(join(bad, "hello-0.6.0-linux-x86_64-cpu.baiengine.tmp"), join(bad, "hello-0.6.0-linux-x86_64-cpu.baiengine"));
      await expectRefusal(publish("0.6.0", [], bad), /failed verification/);
    });

    it("a corrupt archive", async () => {
      const bad = join(dir, "corrupt");
      await mkdir(bad);
      await writeFile(join(bad, "hello-0.6.0-linux-x86_64-cpu.baiengine"), "this is not gzip");
      await expectRefusal(publish("0.6.0", [], bad), /failed verification/);
    });

    it("two files for one platform", async () => {
      const twice = join(dir, "artifacts");
      await makePackage(join(twice, "a"), { version: "0.6.0" });
      await makePackage(join(twice, "b"), { version: "0.6.0", payload: "other build" });
      await expectRefusal(publish("0.6.0", [], twice), /two files for one platform/);
    });

    it("no matching file", async () => {
      await expectRefusal(publish("0.7.0"), /no hello-0\.7\.0-\*\.baiengine file/);
    });

    it("a downgrade (unless --allow-downgrade)", async () => {
      await makePackage(packages, { version: "0.4.0" });
      await expectRefusal(publish("0.4.0"), /version 0\.4\.0 is not above the current 0\.5\.0/);
      const allowed = await publish("0.4.0", ["--allow-downgrade"]);
      expect(allowed.code, allowed.stderr).toBe(0);
      expect(JSON.parse(await readFile(registry, "utf8")).engines[0].latestVersion).toBe("0.4.0");
    });

    it("rc10 after rc9: refused as SemVer orders it, with why and the rc.10 spelling", async () => {
      await makePackage(packages, { version: "1.0.0-rc9" });
      expect((await publish("1.0.0-rc9", ["--prerelease"])).code).toBe(0);
      await makePackage(packages, { version: "1.0.0-rc10" });
      const refused = await expectRefusal(publish("1.0.0-rc10", ["--prerelease"]), /version 1\.0\.0-rc10 is not above the current 1\.0\.0-rc9: SemVer compares the pre-release "rc10" with "rc9" as text.*publish it as 1\.0\.0-rc\.10/);
      expect(refused.stderr).toMatch(/rename the version as suggested/);
    });

    it("a hand-edited index with a duplicate key, or a byte-order mark: refused with the key's path, the BOM named", async () => {
      const text = await readFile(registry, "utf8");
      await writeFile(registry, text.replace('"latestVersion"', '"latestVersion": "0.0.1", "latestVersion"'));
      await expectRefusal(publish("0.6.0"), /engines\[0\]\.latestVersion: repeats the key "latestVersion".*\(line \d+, column \d+\)/);
      await writeFile(registry, `\uFEFF${text}`);
      await expectRefusal(publish("0.6.0"), /\(root\): starts with a UTF-8 byte-order mark \(BOM\)/);
    });

    it("a pre-release at or below the stable version", async () => {
      await expectRefusal(publish("0.5.0", ["--prerelease"]), /not above the current 0\.5\.0/);
    });

    it("an invalid index", async () => {
      const index = JSON.parse(await readFile(registry, "utf8"));
      index.engines[0].packages[0].sha256 = "nope";
      await writeFile(registry, JSON.stringify(index));
      await expectRefusal(publish("0.5.0"), /engines\[0\]\.packages\[0\]\.sha256: expected 64 lowercase hex/);
    });
  });
});

describe("set-base-url and init", () => {
  it("validates the URL; init writes a valid empty registry, the workflow and a README", async () => {
    const bad = await runCli(["set-base-url", "--registry", registry, "ftp://x/"]);
    expect(bad.code).toBe(2);
    const good = await runCli(["set-base-url", "--registry", registry, "https://cdn.example.com/engines"]);
    expect(good.code, good.stderr).toBe(0);
    expect(JSON.parse(await readFile(registry, "utf8")).baseUrl).toBe("https://cdn.example.com/engines");

    const repo = join(dir, "new-registry");
    const init = await runCli(["init", repo]);
    expect(init.code, init.stderr).toBe(0);
    const validate = await runCli(["validate", "--registry", join(repo, "engines.json")]);
    expect(validate.code, validate.stderr).toBe(0);
    const workflow = await readFile(join(repo, ".github/workflows/release-engine.yml"), "utf8");
    expect(workflow).toContain("engine-registry update");
    expect(await readFile(join(repo, "README.md"), "utf8")).toContain("{baseUrl}/{tag}/{filename}");
    expect((await runCli(["init", repo])).code).toBe(2);
  });
});
