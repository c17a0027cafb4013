import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { tempDir } from "./helpers/tmp.js";

const bin = path.resolve(import.meta.dirname, "../bin/pack-engine.js");
const root = tempDir("cli");
const cli = (...args: string[]) => execa(process.execPath, [bin, "--cache-dir", path.join(root, "cache"), ...args], { reject: false, cwd: root, env: { CI: "true" } });

describe("pack-engine CLI (built dist)", () => {
  it("--dry-run --json prints the plan for a target this host cannot build", async () => {
    const r = await cli("--accel", "metal", "--os", "macos", "--arch", "aarch64", "--version", "b6123", "--dry-run", "--json");
    expect(r.exitCode).toBe(0);
    const plan = JSON.parse(r.stdout) as { packageStem: string; defines: Record<string, string>; blockers: string[] };
    expect(plan.packageStem).toBe("llama-cpp-b6123-macos-aarch64-metal");
    expect(plan.defines["GGML_METAL_EMBED_LIBRARY"]).toBe("ON");
    expect(plan.blockers.length).toBeGreaterThan(0);
  });

  it("refuses with one line and the fix: metal on linux (exit 2), macos from linux (exit 1), an unknown engine (exit 2)", async () => {
    const metal = await cli("--accel", "metal", "--os", "linux", "--arch", "x86_64", "--engine", "hello");
    expect(metal.exitCode).toBe(2);
    expect(metal.stderr).toContain("metal packages are not built for linux-x86_64");
    expect(metal.stderr).toContain("hint:");
    const mac = await cli("--engine", "hello", "--accel", "cpu", "--os", "macos", "--arch", "aarch64");
    expect(mac.exitCode).toBe(1);
    expect(mac.stderr).toContain("cannot be built on this linux-x86_64 machine");
    const unknown = await cli("--engine", "nope", "--accel", "cpu");
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain("unknown engine");
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
  });

  it("packs hello and prints the path, size and sha256 (--json)", async () => {
    const out = path.join(root, "out");
    const r = await cli("--engine", "hello", "--accel", "cpu", "--out", out, "--json");
    expect(r.exitCode, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { file: string; size: number; sha256: string; manifest: { engineId: string }; timings: Record<string, number> };
    expect(result.file).toBe(path.join(out, "hello-0.1.0-linux-x86_64-cpu.baiengine"));
    expect(existsSync(result.file)).toBe(true);
    expect(readFileSync(`${result.file}.sha256`, "utf8")).toBe(`${result.sha256}  hello-0.1.0-linux-x86_64-cpu.baiengine\n`);
    expect(result.manifest.engineId).toBe("hello");
    expect(result.timings["total"]).toBeGreaterThan(0);
  });
});
