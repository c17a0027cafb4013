import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { which } from "@baiengine/cli-kit/system";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { parseGpuQuery } from "../src/facts.js";
import type { AcceptanceReport } from "../src/report.js";
import { serveKit } from "../src/serve-kits.js";
import { readServerLog } from "../src/serve-model.js";
import { tempDirSync } from "@baiengine/test-kit";

/**
 * `pnpm test:gpu` on this machine, for real: with --engine hello the whole sequence runs through the
 * packer's GPU-shaped stand-in (its stub runtime and stub device) — pack-engine, pack-runtime, a
 * fresh engines.json served from 127.0.0.1, install in a private mount namespace with the stand-in's
 * toolkit hidden, the device listed, the model "served", and the package refused without its
 * runtime; without a GPU the real run says what it needs; --dry-run shows every command.
 */
const bin = join(import.meta.dirname, "..", "bin", "test-gpu.js");
const root = tempDirSync("gpu-acceptance");

/** A PATH with only unshare and mount on it: no nvidia-smi, no nvcc, whatever this machine has. */
let bare: string | null = null;
function bareBin(): string {
  if (bare) return bare;
  bare = join(root, "bare-bin");
  mkdirSync(bare);
  for (const tool of ["unshare", "mount"]) symlinkSync(which(tool)!, join(bare, tool));
  return bare;
}

describe("test-gpu --engine hello (the stand-in, on any machine)", () => {
  it("runs steps 1-7 and passes: device, offload, tokens per second, the negative, sizes and times in one JSON report", async () => {
    const work = join(root, "hello");
    const r = await execa(process.execPath, [bin, "--engine", "hello", "--work-dir", work, "--cache-dir", join(root, "cache"), "--json"], { reject: false, env: { CI: "true" } });
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as AcceptanceReport;
    expect(JSON.parse(readFileSync(join(work, "report.json"), "utf8"))).toEqual(report);
    expect(report).toMatchObject({ ok: true, engine: "hello", accel: "cuda13", standIn: true, device: "HelloGPU0: Hello stub GPU (1024 MiB, 1000 MiB free)" });
    expect(report.steps.map((s) => [s.name, s.ok])).toEqual([
      ["pack-engine", true],
      ["pack-runtime", true],
      ["publish", true],
      ["private mount namespace", true],
      ["hide the toolkit", true],
      ["install", true],
      ["list devices", true],
      ["serve the model", true],
      ["without its runtime pack", true],
    ]);
    expect(report.steps.every((s) => Number.isInteger(s.ms) && s.ms >= 0)).toBe(true);
    expect(report.steps.find((s) => s.name === "hide the toolkit")?.detail).toMatch(/^hid \S+\/runtime; libhellort\.so\.1 no longer loads by name$/);
    expect(report.steps.find((s) => s.name === "serve the model")?.detail).toMatch(/^3\/3 layers offloaded to HelloGPU0, [\d.]+ tokens per second$/);
    expect(report.tokensPerSecond).toBeGreaterThan(0);
    expect(report.package).toMatchObject({ version: "0.1.0" });
    expect(report.package!.bytes).toBeGreaterThan(1000);
    expect(report.runtime).toMatchObject({ id: "hello-cuda13-runtime", version: "13.0.1" });
    expect(report.negative).toBe("hello-server --list-devices lists no CUDA device: libhello-gpu.so needs libhellort.so.1, which the package does not carry and this system does not provide");
    expect(readFileSync(join(work, "summary.txt"), "utf8").split("\n")[0]).toBe("PASSED: GPU acceptance of hello cuda13 (stand-in)");
  }, 600_000);

  it("refuses a work folder that is not empty, in one line", async () => {
    const work = join(root, "hello");
    const r = await execa(process.execPath, [bin, "--engine", "hello", "--work-dir", work, "--cache-dir", join(root, "cache")], { reject: false, env: { CI: "true" } });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain(`${work} is not empty: give a new --work-dir`);
  });
});

describe("test-gpu without a GPU", () => {
  it("says in one line what it needs and exits 2, running nothing", async () => {
    const work = join(root, "no-gpu");
    const r = await execa(process.execPath, [bin, "--work-dir", work], { reject: false, env: { PATH: bareBin() }, extendEnv: false });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual([
      "error: needs an NVIDIA GPU: nvidia-smi is not on PATH (no NVIDIA driver); run it on a machine with the driver and a CUDA 12 or 13 toolkit, or pass --engine hello for the stand-in",
    ]);
  });

  it("--dry-run prints every command of the real run with pack-engine's cuda13 defines for the GPU's architecture only", async () => {
    const r = await execa(process.execPath, [bin, "--dry-run", "--compute-cap", "8.6", "--work-dir", join(root, "dry")], { reject: false, env: { PATH: bareBin() }, extendEnv: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out.split("\n")[0]).toBe("GPU acceptance run: llama-cpp cuda13");
    // (a toolkit in /usr/local/cuda is found without PATH; where there is none, cuda13 is assumed too)
    expect(out.split("\n")[1]).toMatch(/^ {2}assumed \(not on this machine\): (a CUDA 13 toolkit \(none found here\); )?a GPU of compute capability 8\.6 \(nvidia-smi is not on PATH/);
    expect(out).toContain("nvidia-smi --query-gpu=name,compute_cap,driver_version --format=csv,noheader");
    expect(out).toMatch(/pack-engine\.js --engine llama-cpp --accel cuda13 .*--cmake-arg -DCMAKE_CUDA_ARCHITECTURES=86-real --json/);
    // pack-engine's own configure line: every cuda13 define, the architecture once
    const configure = out.split("\n").find((l) => l.includes("which configures: cmake"))!;
    for (const define of ["-DGGML_CUDA=ON", "-DGGML_CUDA_NCCL=OFF", "-DGGML_BACKEND_DL=ON", "-DGGML_CPU_ALL_VARIANTS=ON", "-DGGML_NATIVE=OFF", "-DCMAKE_CUDA_ARCHITECTURES=86-real"]) expect(configure).toContain(define);
    expect(configure.match(/CMAKE_CUDA_ARCHITECTURES/g)).toHaveLength(1);
    expect(out).toMatch(/pack-runtime\.js --accel cuda13 --toolkit \/\S+ --from \{binaryDir\}/);
    expect(out).toMatch(/unshare --mount --propagation private -- \S+ \S+test-gpu\.js --inside /);
    expect(out).toContain("mount --bind");
    expect(out).toContain("loading libcudart.so.13 by name must fail (dlopen)");
    expect(out).toMatch(/engine-registry\.js install --registry \S+engines\.json --engine llama-cpp --accel cuda13 --base-url \{baseUrl\}/);
    expect(out).toMatch(/env -i \S+\/installed\/llama-cpp\/\{engineVersion\}\/linux-x86_64-cuda13\/llama-server -m \S+tiny-llama\.gguf -ngl 99 --host 127\.0\.0\.1 --port \{port\}/);
    expect(out).toContain("a real run here stops at once: needs an NVIDIA GPU");
  });
});

describe("what the run reads", () => {
  it("nvidia-smi's CSV: the first GPU's name, compute capability and driver", () => {
    expect(parseGpuQuery("NVIDIA H100 80GB HBM3, 9.0, 570.124.06\nNVIDIA H100 80GB HBM3, 9.0, 570.124.06\n")).toEqual({ name: "NVIDIA H100 80GB HBM3", computeCap: "9.0", driver: "570.124.06" });
    expect(parseGpuQuery("No devices were found\n")).toBeNull();
  });

  it("llama-server's log: every layer on CUDA0 passes; the silent CPU fallback of a GPU backend that did not load fails", () => {
    const kit = serveKit("llama-cpp");
    const onGpu = [
      "load_tensors: offloading 2 repeating layers to GPU",
      "load_tensors: offloading output layer to GPU",
      "load_tensors: offloaded 3/3 layers to GPU",
      "load_tensors:        CUDA0 model buffer size =     0.52 MiB",
      "load_tensors:   CPU_Mapped model buffer size =     0.06 MiB",
      "prompt eval time =       5.12 ms /     4 tokens (    1.28 ms per token,   781.25 tokens per second)",
      "       eval time =      20.50 ms /    15 tokens (    1.37 ms per token,   731.71 tokens per second)",
    ].join("\n");
    expect(readServerLog(onGpu, kit, /^CUDA\d+$/)).toMatchObject({ offloaded: { done: 3, total: 3 }, bufferDevices: ["CUDA0", "CPU_Mapped"], tokensPerSecond: 731.71 });
    const onCpu = ["load_tensors: offloaded 0/3 layers to GPU", "load_tensors:   CPU_Mapped model buffer size =     0.58 MiB"].join("\n");
    expect(() => readServerLog(onCpu, kit, /^CUDA\d+$/)).toThrow("the server offloaded 0/3 layers to the GPU (model buffers on CPU_Mapped): the GPU backend did not load");
  });
});
