import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { safeParseRegistry } from "@baiengine/schema";
import { describe, expect, it } from "vitest";
import { makePackage } from "./helpers/packages.js";
import { emptyRegistry, writeJson } from "./helpers/registry-fixtures.js";
import { CLI, runCli } from "./helpers/run-cli.js";
import { tempDir } from "@baiengine/test-kit";

/** ~1 MB engines.json: 500 engines with three packages each, so writes take a while. */
function largeRegistry(): Record<string, unknown> {
  const registry = emptyRegistry();
  registry["engines"] = Array.from({ length: 500 }, (_, i) => ({
    id: `engine-x${i}`,
    name: `Engine ${i}`,
    description: "x".repeat(200),
    latestVersion: "1.0.0",
    modelFormats: ["gguf"],
    packages: ["cpu", "vulkan"].map((accel) => ({
      os: "linux", arch: "x86_64", accelerator: accel, acceleratorVersion: null,
      filename: `engine-x${i}-1.0.0-linux-x86_64-${accel}.baiengine`, size: 1000 + i, sha256: (i % 10).toString().repeat(64),
    })),
  }));
  return registry;
}

async function expectParses(file: string): Promise<Record<string, unknown>> {
  const value = JSON.parse(await readFile(file, "utf8"));
  const parsed = safeParseRegistry(value);
  expect(parsed.ok, parsed.ok ? "" : parsed.issues.join("\n")).toBe(true);
  return value;
}

describe("update never loses data", () => {
  it("SIGKILL at random moments leaves a parseable index; the next run cleans up and lands", async () => {
    const dir = await tempDir();
    const registry = join(dir, "engines.json");
    const packages = join(dir, "packages");
    await writeJson(registry, largeRegistry());
    await makePackage(packages, { version: "0.5.0" });
    await makePackage(packages, { version: "0.5.0", accelerator: "cuda", acceleratorVersion: "12.4" });
    const args = [CLI, "update", "--registry", registry, "--engine", "hello", "--version", "0.5.0", "--packages-dir", packages];
    // Kill moments spread over one uninterrupted run's duration on this machine, so a fast machine
    // (a warm cache, a quiet CPU) is interrupted as surely as a slow one.
    const started = Date.now();
    const timing = await runCli(args.slice(1));
    expect(timing.code, timing.stderr).toBe(0);
    const runMs = Date.now() - started;
    await writeJson(registry, largeRegistry());
    let killedMidway = 0;
    for (let round = 0; round < 6; round++) {
      const child = spawn(process.execPath, args, { stdio: "ignore" });
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      const delay = Math.floor(runMs * (0.1 + 0.8 * Math.random()));
      const timer = setTimeout(() => child.kill("SIGKILL"), delay);
      const code = await exited;
      clearTimeout(timer);
      if (code === null) killedMidway++;
      await expectParses(registry);
      // Only ever the old or the new content, never a mix: 500 or 501 engines.
      const engines = ((await expectParses(registry))["engines"] as unknown[]).length;
      expect([500, 501]).toContain(engines);
      // A re-run must be possible after a kill: reset to the old index state sometimes to hit the write path again.
      if (engines === 501 && round < 5) await writeJson(registry, largeRegistry());
    }
    expect(killedMidway).toBeGreaterThan(0);
    const final = await runCli(args.slice(1));
    expect(final.code, final.stderr).toBe(0);
    const value = await expectParses(registry);
    expect((value["engines"] as { id: string }[]).at(-1)!.id).toBe("hello");
    // No temp file, no lock left behind.
    expect(await readdir(dir)).toEqual(expect.arrayContaining(["engines.json", "packages"]));
    expect((await readdir(dir)).filter((n) => n !== "engines.json" && n !== "packages")).toEqual([]);
  }, 120_000);

  it("two updates for different engines at once, as separate processes: both land", async () => {
    const dir = await tempDir();
    const registry = join(dir, "engines.json");
    await writeJson(registry, largeRegistry());
    await makePackage(join(dir, "a"), { version: "0.5.0" });
    await makePackage(join(dir, "b"), { engineId: "other", version: "b4618" });
    const [a, b] = await Promise.all([
      runCli(["update", "--registry", registry, "--engine", "hello", "--version", "0.5.0", "--packages-dir", join(dir, "a")]),
      runCli(["update", "--registry", registry, "--engine", "other", "--version", "b4618", "--packages-dir", join(dir, "b"), "--name", "Other", "--description", "second engine"]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const ids = ((await expectParses(registry))["engines"] as { id: string }[]).map((e) => e.id);
    expect(ids).toContain("hello");
    expect(ids).toContain("other");
    expect(ids.length).toBe(502);
    expect((await readdir(dir)).sort()).toEqual(["a", "b", "engines.json"]);
  }, 60_000);
});
