import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { findEngineProfile } from "@baiengine/profiles";
import { type DeviceProbe, detectHostDevices, extractPackage, type HostDevices, verifyPackage } from "@baiengine/verifier";
import { beforeAll, describe, expect, it } from "vitest";
import { stagingEntries, writeReproducibleArchive } from "../src/archive/index.js";
import { pack, type PackResult } from "../src/pack.js";
import { runCli, tempDirSync } from "@baiengine/test-kit";

/**
 * `verify-engine --smoke` on the GPU-shaped hello (cuda13, stub runtime), built for real: the
 * device probe runs only where the host has a device of the package's kind, and says why not
 * otherwise (never "ok"); where it runs, it is the real server's listing with an empty environment.
 */
const verifierBin = path.join(path.dirname(createRequire(import.meta.url).resolve("@baiengine/verifier/package.json")), "bin", "verify-engine.js");
const NO_GPU: HostDevices = { cuda: [], rocm: [], vulkan: null, metal: false, notes: [] };
const H200: HostDevices = { ...NO_GPU, cuda: ["NVIDIA H200"] };

describe("verify-engine --smoke runs the engine's device probe (hello cuda13)", () => {
  const root = tempDirSync("hello-gpu-smoke");
  let packed: PackResult;
  let probe: DeviceProbe;
  beforeAll(async () => {
    packed = await pack({ engine: "hello", accel: "cuda13", out: path.join(root, "out"), cacheDir: path.join(root, "cache") });
    const found = findEngineProfile("hello")?.deviceProbe;
    if (!found) throw new Error("the hello profile has no deviceProbe");
    probe = found;
  }, 300_000);

  it("on this machine, with no CUDA device: `device probe: skipped: no CUDA device`, exit 0, in text and --json", async () => {
    // The verifier's own reading of nvidia-smi -L; this test machine has no NVIDIA GPU.
    expect((await detectHostDevices()).cuda).toEqual([]);
    const text = await runCli(verifierBin, ["--smoke", packed.file]);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.split("\n");
    expect(lines[0]).toMatch(/^ok .*hello-0\.1\.0-linux-x86_64-cuda13\.baiengine /);
    expect(lines.find((l) => l.startsWith("  smoke: "))).toMatch(/^ {2}smoke: ran via native in \d+ ms: /);
    expect(lines.filter((l) => l.startsWith("  device probe: "))).toEqual(["  device probe: skipped: no CUDA device"]);
    const json = await runCli(verifierBin, ["--smoke", "--json", packed.file]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).smoke.devices).toEqual({ ran: false, reason: "no CUDA device" });
  });

  it("on a host with a CUDA device, the probe runs: the package without its runtime lists none, SMOKE_NO_DEVICE names the library", async () => {
    const report = await verifyPackage(packed.file, { smoke: true, deviceProbes: { hello: probe }, hostDevices: H200 });
    expect(report.ok).toBe(false);
    expect(report.smoke?.devices).toEqual({
      ran: true,
      device: null,
      missing: "hello-server --list-devices lists no CUDA device: libhello-gpu.so needs libhellort.so.1, which the package does not carry and this system does not provide",
    });
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([
      {
        severity: "error",
        code: "SMOKE_NO_DEVICE",
        path: "package/hello-server",
        message:
          "hello-server --list-devices lists no CUDA device: libhello-gpu.so needs libhellort.so.1, which the package does not carry and this system does not provide (this host has CUDA device NVIDIA H200)",
      },
    ]);
  });

  it("with its runtime in package/libs/ (where $ORIGIN/libs looks), the probe finds the device", async () => {
    const dest = path.join(root, "with-runtime");
    await extractPackage(packed.file, dest);
    mkdirSync(path.join(dest, "package", "libs"), { recursive: true });
    copyFileSync(path.join(packed.plan.buildDir, "runtime", "libhellort.so.1"), path.join(dest, "package", "libs", "libhellort.so.1"));
    const file = path.join(root, "hello-0.1.0-linux-x86_64-cuda13.baiengine");
    await writeReproducibleArchive(await stagingEntries(path.join(dest, "package")), file, { mtime: new Date(0), compressor: "node" });
    const report = await verifyPackage(file, { smoke: true, deviceProbes: { hello: probe }, hostDevices: H200 });
    expect(report.smoke?.devices).toEqual({ ran: true, device: "HelloGPU0: Hello stub GPU (1024 MiB, 1000 MiB free)" });
    expect(report.findings.filter((f) => f.code === "SMOKE_NO_DEVICE")).toEqual([]);
    // the same package on a host without the device: skipped, with the reason
    const skipped = await verifyPackage(file, { smoke: true, deviceProbes: { hello: probe }, hostDevices: NO_GPU });
    expect(skipped.smoke?.devices).toEqual({ ran: false, reason: "no CUDA device" });
    // an engine without a probe is skipped with the reason too
    const noProbe = await verifyPackage(file, { smoke: true, deviceProbes: {}, hostDevices: H200 });
    expect(noProbe.smoke?.devices).toEqual({ ran: false, reason: "no device probe is known for engine hello" });
  });
});
