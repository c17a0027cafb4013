import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CUDA13_LINUX, fakeToolkit } from "../../fixtures/fake-toolkit.mjs";
import { runCli, tempDirSync } from "@baiengine/test-kit";

const bin = path.resolve(import.meta.dirname, "../../bin/pack-runtime.js");
const packEngineBin = path.resolve(import.meta.dirname, "../../bin/pack-engine.js");
const root = tempDirSync("runtime-cli");
const toolkit = path.join(root, "cuda");
const cli = (...args: string[]) => runCli(bin, args, { cwd: root, env: { SOURCE_DATE_EPOCH: "1700000000" } });

beforeAll(async () => {
  fakeToolkit(toolkit, { libraries: CUDA13_LINUX });
});

describe("pack-runtime CLI (built dist)", () => {
  it("--dry-run prints each library with who links it, the licence and the manifest", async () => {
    const r = await cli("--accel", "cuda13", "--toolkit", toolkit, "--dry-run");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`plan ${path.join(root, "dist/runtimes/cuda13-runtime-13.0.88-linux-x86_64.bairuntime")}`);
    expect(r.stdout).toMatch(/libs\/libcublasLt\.so\.13\s+← \S+libcublasLt\.so\.13\.0\.2\.14 {2}\(linked by libcublas\.so\.13\)/);
    expect(r.stdout).toMatch(/licenses\/NVIDIA-CUDA-EULA\.txt\s+← \S+EULA\.txt/);
    expect(r.stdout).not.toContain("blockers:");
  });

  it("--json packs and prints the file, size, sha256 and manifest", async () => {
    const r = await cli("--accel", "cuda13", "--toolkit", toolkit, "--out", "packs", "--json");
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { file: string; size: number; sha256: string; manifest: { provides: string[] } };
    expect(result.file).toBe(path.join(root, "packs", "cuda13-runtime-13.0.88-linux-x86_64.bairuntime"));
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.manifest.provides).toEqual(["libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13"]);
  });

  it("refuses in one line with the fix: no runtime for cpu (exit 2), no toolkit (exit 1)", async () => {
    const cpu = await cli("--accel", "cpu");
    expect(cpu.code).toBe(2);
    expect(cpu.stderr).toContain("no runtime profile for --accel cpu on linux");
    expect(cpu.stderr).toContain("hint:");
    const none = await cli("--accel", "cuda12", "--toolkit", path.join(root, "missing"));
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`cannot pack cuda12-runtime: no CUDA toolkit found (tried --toolkit ${path.join(root, "missing")})`);
    expect(none.stderr).not.toMatch(/\n\s+at /);
  });

  it("--engine hello --accel cuda13 as typed in the README: the stand-in's toolkit is its pack-engine build folder", async () => {
    const env = { SOURCE_DATE_EPOCH: "1700000000", BAIENGINE_CACHE_DIR: path.join(root, "cache") };
    const before = await runCli(bin, ["--engine", "hello", "--accel", "cuda13"], { cwd: root, env });
    expect(before.code).toBe(1);
    expect(before.stderr.split("\n")[0]).toMatch(/^error: cannot pack hello-cuda13-runtime: no CUDA toolkit found \(tried the build folder of pack-engine --engine hello --accel cuda13, \S+\): run `pnpm pack-engine --engine hello --accel cuda13` first/);
    const engine = await runCli(packEngineBin, ["--engine", "hello", "--accel", "cuda13", "--json"], { cwd: root, env });
    expect(engine.code, engine.stderr).toBe(0);
    const r = await runCli(bin, ["--engine", "hello", "--accel", "cuda13", "--json"], { cwd: root, env });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { file: string; manifest: { provides: string[] } };
    expect(result.file).toBe(path.join(root, "dist/runtimes/hello-cuda13-runtime-13.0.1-linux-x86_64.bairuntime"));
    expect(result.manifest.provides).toEqual(["libhellort.so.1"]);
    const dry = await runCli(bin, ["--engine", "hello", "--accel", "cuda13", "--dry-run"], { cwd: root, env });
    expect(dry.stdout).toContain(`toolkit     ${(JSON.parse(engine.stdout) as { buildDir: string }).buildDir}`);
    expect(dry.stdout).toMatch(/libs\/libhellort\.so\.1\s+← \S+libhellort\.so\.1\.0\.0 {2}\(linked by libhello-gpu\.so\)/);
  }, 300_000);
});
