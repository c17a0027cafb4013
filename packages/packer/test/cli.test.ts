import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDirSync } from "@baiengine/test-kit";

const bin = path.resolve(import.meta.dirname, "../bin/pack-engine.js");
const root = tempDirSync("cli");
const cli = (...args: string[]) => runCli(bin, ["--cache-dir", path.join(root, "cache"), ...args], { cwd: root });

describe("pack-engine CLI (built dist)", () => {
  it("--dry-run --json prints the plan for a target this host cannot build", async () => {
    const r = await cli("--accel", "metal", "--os", "macos", "--arch", "aarch64", "--version", "b6123", "--dry-run", "--json");
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { packageStem: string; defines: Record<string, string>; blockers: string[] };
    expect(plan.packageStem).toBe("llama-cpp-b6123-macos-aarch64-metal");
    expect(plan.defines["GGML_METAL_EMBED_LIBRARY"]).toBe("ON");
    expect(plan.blockers.length).toBeGreaterThan(0);
  });

  it("--dry-run with no source and no version prints the plan, the version unknown, and what a real pack needs", async () => {
    const r = await cli("--accel", "cuda12", "--dry-run");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("plan llama-cpp-{version}-linux-x86_64-cuda12");
    expect(r.stdout).toContain("engine      llama-cpp (version unknown)");
    expect(r.stdout).toContain("blocked here (a real pack would refuse):");
    expect(r.stdout).toContain("  - no llama.cpp source and no version to clone (pass --source <dir or .tar.gz> with a llama.cpp source, or --version b4618 to clone its tag)");
    expect(r.stdout).toContain("-DGGML_CUDA=ON");
  });

  it("refuses with one line and the fix: metal on linux (exit 2), macos from linux (exit 1), an unknown engine (exit 2)", async () => {
    const metal = await cli("--accel", "metal", "--os", "linux", "--arch", "x86_64", "--engine", "hello");
    expect(metal.code).toBe(2);
    expect(metal.stderr).toContain("metal packages are not built for linux-x86_64");
    expect(metal.stderr).toContain("hint:");
    const mac = await cli("--engine", "hello", "--accel", "cpu", "--os", "macos", "--arch", "aarch64");
    expect(mac.code).toBe(1);
    expect(mac.stderr).toContain("cannot be built on this linux-x86_64 machine");
    const unknown = await cli("--engine", "nope", "--accel", "cpu");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown engine");
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
  });

  it("packs hello and prints the path, size and sha256 (--json)", async () => {
    const out = path.join(root, "out");
    const r = await cli("--engine", "hello", "--accel", "cpu", "--out", out, "--json");
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { file: string; size: number; sha256: string; manifest: { engineId: string }; timings: Record<string, number> };
    expect(result.file).toBe(path.join(out, "hello-0.1.0-linux-x86_64-cpu.baiengine"));
    expect(existsSync(result.file)).toBe(true);
    expect(readFileSync(`${result.file}.sha256`, "utf8")).toBe(`${result.sha256}  hello-0.1.0-linux-x86_64-cpu.baiengine\n`);
    expect(result.manifest.engineId).toBe("hello");
    expect(result.timings["total"]).toBeGreaterThan(0);
  });
});
