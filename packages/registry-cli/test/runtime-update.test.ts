import { appendFile, copyFile, readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { packRuntime } from "@baiengine/packer";
import { CUDA13_LINUX, CUDA13_WINDOWS, fakeToolkit } from "@baiengine/packer/fixtures/fake-toolkit";
import { beforeAll, describe, expect, it } from "vitest";
import { makePackage } from "./helpers/packages.js";
import { emptyRegistry, writeJson } from "./helpers/registry-fixtures.js";
import { runCli } from "./helpers/run-cli.js";
import { tempDir } from "@baiengine/test-kit";

let dir: string;
let registry: string;
const packs = () => join(dir, "runtimes");
const later = () => join(dir, "runtimes-later");
const engines = () => join(dir, "engines");
let linuxPack: { file: string; size: number; sha256: string };

const update = (...args: string[]) => runCli(["update", "--registry", registry, ...args]);
const index = async () => JSON.parse(await readFile(registry, "utf8"));

beforeAll(async () => {
  dir = await tempDir();
  registry = join(dir, "engines.json");
  await writeJson(registry, emptyRegistry());
  const linux = fakeToolkit(join(dir, "cuda"), { libraries: CUDA13_LINUX });
  const windows = fakeToolkit(join(dir, "cuda-win"), { windows: true, libraries: CUDA13_WINDOWS });
  linuxPack = await packRuntime({ accel: "cuda13", os: "linux", arch: "x86_64", toolkit: linux, out: packs(), sourceDateEpoch: 1 });
  await packRuntime({ accel: "cuda13", os: "windows", arch: "x86_64", toolkit: windows, out: packs(), sourceDateEpoch: 1 });
  const windowsLater = fakeToolkit(join(dir, "cuda-win-later"), { windows: true, libraries: CUDA13_WINDOWS, cudartVersion: "13.0.96" });
  await packRuntime({ accel: "cuda13", os: "windows", arch: "x86_64", toolkit: windowsLater, out: later(), sourceDateEpoch: 1 });
  await makePackage(engines(), { version: "0.5.0", accelerator: "cuda", acceleratorVersion: "13.0", manifestOverride: { runtime: { id: "cuda13-runtime", minVersion: "13.0" } } });
});

describe("runtime packs in engines.json", () => {
  it("refuses an engine package whose runtime the index does not list yet, leaving the index as it was", async () => {
    const before = await readFile(registry, "utf8");
    const r = await update("--engine", "hello", "--version", "0.5.0", "--packages-dir", engines());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('engines[0].packages[0].runtime: needs runtime "cuda13-runtime", which runtimes[] does not list');
    expect(r.stderr).toContain("engine-registry update --runtime");
    expect(await readFile(registry, "utf8")).toBe(before);
  });

  it("publishes a runtime's packs with the profile's name; a rerun changes nothing", async () => {
    const r = await update("--runtime", "cuda13-runtime", "--version", "13.0.88", "--packages-dir", packs());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("cuda13-runtime: latestVersion (new runtime) -> 13.0.88");
    const runtime = (await index()).runtimes[0];
    // Dated as an engine version is, so export has a date to write (the live packages.json has one per runtime).
    expect(runtime).toMatchObject({ id: "cuda13-runtime", name: "NVIDIA CUDA 13 runtime", latestVersion: "13.0.88", releaseDate: new Date().toISOString().slice(0, 10) });
    expect(runtime.packages.map((p: { filename: string }) => p.filename)).toEqual([
      "cuda13-runtime-13.0.88-linux-x86_64.bairuntime",
      "cuda13-runtime-13.0.88-windows-x86_64.bairuntime",
    ]);
    expect(runtime.packages[0]).toEqual({ os: "linux", arch: "x86_64", filename: "cuda13-runtime-13.0.88-linux-x86_64.bairuntime", size: linuxPack.size, sha256: linuxPack.sha256 });
    const text = await readFile(registry, "utf8");
    const again = await update("--runtime", "cuda13-runtime", "--version", "13.0.88", "--packages-dir", packs());
    expect(again.stdout).toContain("no change");
    expect(await readFile(registry, "utf8")).toBe(text);
  });

  it("copies an engine package's runtime id into its index entry", async () => {
    const r = await update("--engine", "hello", "--version", "0.5.0", "--packages-dir", engines());
    expect(r.code, r.stderr).toBe(0);
    expect((await index()).engines[0].packages[0]).toMatchObject({ accelerator: "cuda", acceleratorVersion: "13.0", runtime: "cuda13-runtime" });
  });

  it("refuses an engine package that needs a newer runtime than the index's latest, leaving the index as it was", async () => {
    const newer = join(dir, "engines-newer");
    await makePackage(newer, { version: "0.6.0", accelerator: "cuda", acceleratorVersion: "13.0", manifestOverride: { runtime: { id: "cuda13-runtime", minVersion: "13.1" } } });
    const before = await readFile(registry, "utf8");
    const r = await update("--engine", "hello", "--version", "0.6.0", "--packages-dir", newer);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: the index's runtime is older than these packages need");
    expect(r.stderr).toContain("hello-0.6.0-linux-x86_64-cuda13.baiengine: needs runtime cuda13-runtime 13.1 or newer; the index's latest is 13.0.88");
    expect(await readFile(registry, "utf8")).toBe(before);
  });

  it("refuses a runtime version that drops a platform an engine package needs", async () => {
    const before = await readFile(registry, "utf8");
    const r = await update("--runtime", "cuda13-runtime", "--version", "13.0.96", "--packages-dir", later());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('needs runtime "cuda13-runtime" for linux-x86_64, which runtimes[] has only for windows-x86_64');
    expect(await readFile(registry, "utf8")).toBe(before);
  });

  it("validate takes --packages-dir more than once: engines and runtime packs kept in folders of their own", async () => {
    const engines = await tempDir("engines-out");
    const runtimes = await tempDir("runtimes-out");
    for (const name of await readdir(dir, { recursive: true })) {
      if (name.endsWith(".baiengine")) await copyFile(join(dir, name), join(engines, basename(name)));
      if (name.endsWith(".bairuntime")) await copyFile(join(dir, name), join(runtimes, basename(name)));
    }
    const one = await runCli(["validate", "--registry", registry, "--packages-dir", engines]);
    expect(one.code).toBe(1);
    expect(one.stderr).toContain(`runtimes[0].packages[0]: ${basename(linuxPack.file)} is not in ${engines}`);
    const both = await runCli(["validate", "--registry", registry, "--packages-dir", engines, "--packages-dir", runtimes]);
    expect(both.code, both.stderr).toBe(0);
  });

  it("validate checks runtime files' size and sha256 with --packages-dir", async () => {
    const ok = await runCli(["validate", "--registry", registry, "--packages-dir", dir]);
    expect(ok.code, ok.stderr).toBe(0);
    await appendFile(linuxPack.file, "x");
    const bad = await runCli(["validate", "--registry", registry, "--packages-dir", dir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`runtimes[0].packages[0]: cuda13-runtime-13.0.88-linux-x86_64.bairuntime has ${linuxPack.size + 1} bytes, the index says ${linuxPack.size}`);
  });

  it("update takes exactly one of --engine and --runtime (exit 2)", async () => {
    const both = await update("--engine", "hello", "--runtime", "cuda13-runtime", "--version", "1", "--packages-dir", dir);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("update needs exactly one of --engine <id> and --runtime <id>");
  });
});
