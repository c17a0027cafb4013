import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { pack, packRuntime } from "@baiengine/packer";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { checkDevices } from "../src/install/device-check.js";
import { runCli } from "./helpers/run-cli.js";
import { tempDir } from "@baiengine/test-kit";

/**
 * The device probe after install, on real packages of the packer's hello engine: the GPU-shaped
 * cuda13 build links the fixture's stub runtime, which it does not carry. Without that library the
 * server lists no device and the probe names it; an installed runtime that lacks it is refused
 * before linking. Either way the install refuses in one line and leaves no engine behind. The cpu
 * build has no probe.
 */
describe("install runs the engine's device probe", () => {
  let root: string;
  let gpuFile: string;
  let runtimeFile: string;
  beforeAll(async () => {
    root = await tempDir("registry-probe");
    const cache = join(root, "cache");
    const packed = await pack({ engine: "hello", accel: "cuda13", out: join(root, "out"), cacheDir: cache });
    gpuFile = packed.file;
    runtimeFile = (await packRuntime({ accel: "cuda13", engine: "hello", toolkit: packed.plan.buildDir, out: join(root, "out") })).file;
  }, 300_000);

  it("a cuda13 package whose installed runtime lacks the library it links: refused before linking, in one line naming who links it, exit 1", async () => {
    const enginesDir = join(root, "engines-gpu");
    const runtime = await runCli(["install", runtimeFile, "--engines-dir", enginesDir]);
    expect(runtime.code, runtime.stderr).toBe(0);
    // A whole store that provides another library than the one the package links (a store with the
    // library deleted is damaged instead: installed again or refused, see runtime-install.test.ts).
    const store = join(enginesDir, "runtimes", "hello-cuda13-runtime", "13.0.1", "linux-x86_64");
    await rename(join(store, "libs", "libhellort.so.1"), join(store, "libs", "libhellort-other.so.1"));
    const manifest = JSON.parse(await readFile(join(store, "manifest.json"), "utf8"));
    await writeFile(join(store, "manifest.json"), JSON.stringify({ ...manifest, provides: ["libhellort-other.so.1"] }));
    const run = await runCli(["install", gpuFile, "--engines-dir", enginesDir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    // (progress lines, » step: ..., come before it under CI)
    expect(run.stderr.split("\n").filter((l) => l.startsWith("error:"))).toEqual([
      "error: hello-0.1.0-linux-x86_64-cuda13.baiengine links libhellort.so.1 (linked by libhello-gpu.so), which the installed runtime pack hello-cuda13-runtime 13.0.1 (linux-x86_64) does not provide",
    ]);
    expect(run.stderr).toContain("hint: nothing was installed; install a hello-cuda13-runtime pack that provides it");
    // no hello/<version>/ folder, no temporary folder, no lock left (the empty .downloads folder holds locks)
    expect(existsSync(join(enginesDir, "hello"))).toBe(false);
    expect(await readdir(join(enginesDir, ".downloads"))).toEqual([]);
  });

  it("the probe of a package whose runtime library is nowhere names the library in one line", async () => {
    const dir = await mkdtemp(join(root, "extracted-"));
    await promisify(execFile)("tar", ["-xzf", gpuFile, "-C", dir]);
    const manifest = JSON.parse(await readFile(join(dir, "package", "manifest.json"), "utf8"));
    await expect(checkDevices(join(dir, "package"), manifest)).rejects.toMatchObject({
      message: "hello-server --list-devices lists no CUDA device: libhello-gpu.so needs libhellort.so.1, which the package does not carry and this system does not provide",
      hint: "nothing was installed; install the package's GPU runtime (or a cpu package: --accel cpu)",
    });
  });

  it("a server that cannot be started (no exec permission, as on a noexec mount) is named as such, not as a missing device or driver", async () => {
    const dir = await mkdtemp(join(root, "extracted-"));
    await promisify(execFile)("tar", ["-xzf", gpuFile, "-C", dir]);
    const manifest = JSON.parse(await readFile(join(dir, "package", "manifest.json"), "utf8"));
    await chmod(join(dir, "package", manifest.serverBinary), 0o644);
    await expect(checkDevices(join(dir, "package"), manifest)).rejects.toMatchObject({
      message: "hello-server --list-devices could not start: permission denied (EACCES): is the folder on a file system mounted noexec, or the file not executable?",
      hint: "nothing was installed; use an engines folder (--engines-dir) on a file system that lets programs run",
      probeFailure: { kind: "start", detail: "permission denied (EACCES): is the folder on a file system mounted noexec, or the file not executable?" },
    });
  });

  it("a cpu package installs with the probe skipped, and says why", async () => {
    const enginesDir = join(root, "engines-cpu");
    const run = await runCli(["install", inject("packedHello").file, "--engines-dir", enginesDir]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("device probe skipped: a cpu package: no device to probe");
    const json = await runCli(["install", inject("packedHello").file, "--engines-dir", join(root, "engines-cpu-json"), "--json"]);
    expect(JSON.parse(json.stdout).devices).toEqual({ ran: false, reason: "a cpu package: no device to probe" });
  });
});
