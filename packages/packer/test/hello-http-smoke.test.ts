import { copyFileSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { findEngineProfile, type DeviceProbe, type HttpSmoke } from "@baiengine/profiles";
import { extractPackage, type HostDevices, runDeviceProbe, verifyPackage } from "@baiengine/verifier";
import { beforeAll, describe, expect, it } from "vitest";
import { stagingEntries, writeReproducibleArchive } from "../src/archive/index.js";
import { pack, type PackResult } from "../src/pack.js";
import { tempDirSync } from "@baiengine/test-kit";

/**
 * The smoke and probe kinds whisper.cpp's profile names, run for real on the hello fixture, whose
 * server mode answers like whisper-server (GET /health, POST /inference of a WAV) and logs its GPU
 * backend's devices like ggml-cuda while it loads the generated whisper model. The smoke and the
 * probe are whisper.cpp's profile data, handed to the verifier for the hello engine.
 */
const whisper = findEngineProfile("whisper-cpp")!;
const SMOKE = whisper.smoke as HttpSmoke;
const PROBE = whisper.deviceProbe as DeviceProbe;
const H200: HostDevices = { cuda: ["NVIDIA H200"], rocm: [], vulkan: null, metal: false, notes: [] };

/** Processes still running a hello-server with a generated model (none may outlive a smoke or a probe). */
function leftoverServers(): string[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .flatMap((p) => {
      try {
        const cmdline = readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").join(" ");
        return cmdline.includes("hello-server") && cmdline.includes("ggml-tiny-random.bin") ? [`${p}: ${cmdline}`] : [];
      } catch {
        return [];
      }
    });
}

describe("HTTP smoke and log-lines probe (whisper.cpp's profile data) on the hello server", () => {
  const root = tempDirSync("hello-http");
  let packed: PackResult;
  beforeAll(async () => {
    packed = await pack({ engine: "hello", accel: "cuda13", out: path.join(root, "out"), cacheDir: path.join(root, "cache") });
  }, 300_000);

  it("starts the server on 127.0.0.1 with the generated model, transcribes the generated WAV, and stops it", async () => {
    const report = await verifyPackage(packed.file, { smoke: true, smokes: { hello: SMOKE }, deviceProbes: {} });
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(report.smoke).toMatchObject({ ran: true, runner: "native" });
    expect(JSON.parse(report.smoke!.output!)).toEqual({ text: " hello from hello-server" });
    expect(leftoverServers()).toEqual([]);
  });

  it("a server that never gets healthy fails within its time limit, with the last lines of its log, and is stopped", async () => {
    const t0 = Date.now();
    const report = await verifyPackage(packed.file, { smoke: true, smokes: { hello: { ...SMOKE, health: { path: "/ready", status: 200 }, readySeconds: 3 } } });
    expect(Date.now() - t0).toBeLessThan(60_000);
    const errors = report.findings.filter((f) => f.severity === "error");
    expect(errors.map((f) => f.code)).toEqual(["SMOKE_TIMEOUT"]);
    expect(errors[0]!.message).toMatch(/^hello-server: not healthy within 3 s: \/ready did not answer 200 in time \(last answer 404\); last lines of its log:\n/);
    expect(errors[0]!.message).toContain("hello_serve: listening on http://127.0.0.1:");
    expect(leftoverServers()).toEqual([]);
  });

  it("the log-lines probe: no device while the runtime is missing, the stub GPU once libhellort is in libs/", async () => {
    const report = await verifyPackage(packed.file, { smoke: true, smokes: { hello: SMOKE }, deviceProbes: { hello: PROBE }, hostDevices: H200 });
    expect(report.smoke?.devices).toMatchObject({ ran: true, device: null });
    expect(report.findings.map((f) => f.code)).toContain("SMOKE_NO_DEVICE");
    const dest = path.join(root, "with-runtime");
    await extractPackage(packed.file, dest);
    mkdirSync(path.join(dest, "package", "libs"), { recursive: true });
    copyFileSync(path.join(packed.plan.buildDir, "runtime", "libhellort.so.1"), path.join(dest, "package", "libs", "libhellort.so.1"));
    const run = await runDeviceProbe(path.join(dest, "package", "hello-server"), PROBE, "cuda");
    expect(run.failure).toBeNull();
    expect(run.matching.map((d) => d.description)).toEqual(["Device 0: Hello stub GPU, compute capability 0.0, VMM: no"]);
    const file = path.join(root, "hello-0.1.0-linux-x86_64-cuda13.baiengine");
    await writeReproducibleArchive(await stagingEntries(path.join(dest, "package")), file, { mtime: new Date(0), compressor: "node" });
    const withRuntime = await verifyPackage(file, { smoke: true, smokes: { hello: SMOKE }, deviceProbes: { hello: PROBE }, hostDevices: H200 });
    expect(withRuntime.smoke?.devices).toEqual({ ran: true, device: "cuda0: Device 0: Hello stub GPU, compute capability 0.0, VMM: no" });
    expect(leftoverServers()).toEqual([]);
  });
});
