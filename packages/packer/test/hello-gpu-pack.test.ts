import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { findEngineProfile } from "@baiengine/profiles";
import { runtimeVersionSatisfies } from "@baiengine/schema";
import { explainMissingDevice, extractPackage, formatListedDevice, readBinaryFile, runDeviceProbe, verifyPackage } from "@baiengine/verifier";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { pack } from "../src/pack.js";
import { packRuntime } from "../src/runtime/pack-runtime.js";
import { NO_DEVICE, STUB_DEVICE } from "./helpers/devices.js";
import { tempDirSync } from "@baiengine/test-kit";

/**
 * The GPU-shaped hello (cuda13 with the fixture's stub runtime), built for real: the package carries
 * the backend module but never the runtime it links; `--list-devices` shows the device only once
 * the runtime library sits where the loader already looks (package/libs/ via $ORIGIN/libs; beside
 * the .exe on Windows: cross-pack.test.ts, which has a wine prefix already).
 */
describe("pack hello cuda13 (GPU-shaped, stub runtime)", () => {
  const root = tempDirSync("hello-gpu");
  const cacheDir = path.join(root, "cache");
  const out = path.join(root, "out");

  it("linux-x86_64: the backend links libhellort.so.1, which is left out; the device appears with it in libs/", async () => {
    const result = await pack({ engine: "hello", accel: "cuda13", out, cacheDir });
    expect(path.basename(result.file)).toBe("hello-0.1.0-linux-x86_64-cuda13.baiengine");
    expect(result.manifest).toMatchObject({ accelerator: "cuda", acceleratorVersion: "13.0" });
    const report = await verifyPackage(result.file);
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(report.findings.map((f) => f.code)).toContain("LIB_RUNTIME_REQUIRED");

    const dest = path.join(root, "linux");
    const extracted = await extractPackage(result.file, dest);
    expect(extracted.files).toContain("package/libhello-gpu.so");
    expect(extracted.files.filter((f) => f.includes("hellort"))).toEqual([]);
    const backend = await readBinaryFile(path.join(dest, "package", "libhello-gpu.so"));
    expect(backend?.needed).toContain("libhellort.so.1");

    const server = path.join(dest, "package", "hello-server");
    const cwd = path.join(root, "elsewhere");
    mkdirSync(cwd);
    const listDevices = async () => (await execa(server, ["--list-devices"], { cwd, env: {}, extendEnv: false })).stdout;
    expect(await listDevices()).toBe(NO_DEVICE);
    // The engine profile's probe (data) reads the same: no CUDA device, and why.
    const probe = findEngineProfile("hello")?.deviceProbe;
    if (!probe) throw new Error("the hello profile has no deviceProbe");
    const without = await runDeviceProbe(server, probe, "cuda");
    expect([without.devices, without.matching]).toEqual([[], []]);
    expect(await explainMissingDevice(path.join(dest, "package"), "linux", "cuda", without)).toBe(
      "hello-server --list-devices lists no CUDA device: libhello-gpu.so needs libhellort.so.1, which the package does not carry and this system does not provide",
    );

    // The stub runtime, as its toolkit lays it out (runtime/ of the build folder), under its soname.
    const runtimeDir = path.join(result.plan.buildDir, "runtime");
    expect(readFileSync(path.join(runtimeDir, "version.txt"), "utf8").trim()).toBe("13.0.1");
    expect((await readBinaryFile(path.join(runtimeDir, "libhellort.so.1")))?.soname).toBe("libhellort.so.1");
    mkdirSync(path.join(dest, "package", "libs"), { recursive: true });
    copyFileSync(path.join(runtimeDir, "libhellort.so.1"), path.join(dest, "package", "libs", "libhellort.so.1"));
    expect(await listDevices()).toBe(STUB_DEVICE);
    const withRuntime = await runDeviceProbe(server, probe, "cuda");
    expect(withRuntime.matching.map(formatListedDevice)).toEqual(["HelloGPU0: Hello stub GPU (1024 MiB, 1000 MiB free)"]);
    // a probe for another family finds none of the stub's devices
    expect((await runDeviceProbe(server, probe, "vulkan")).matching).toEqual([]);

    // Its runtime pack: pack-runtime --engine hello picks the stub's own profile over cuda13-runtime,
    // and the pack's version serves the engine manifest's edge.
    const runtime = await packRuntime({ accel: "cuda13", engine: "hello", toolkit: result.plan.buildDir, out });
    expect(path.basename(runtime.file)).toBe("hello-cuda13-runtime-13.0.1-linux-x86_64.bairuntime");
    expect(runtime.manifest).toMatchObject({ runtimeId: "hello-cuda13-runtime", provides: ["libhellort.so.1"], libraryDir: "libs" });
    expect(result.manifest.runtime).toEqual({ id: "hello-cuda13-runtime", minVersion: "13.0" });
    expect(runtimeVersionSatisfies(runtime.manifest.version, result.manifest.runtime!.minVersion)).toBe(true);
  });
});
