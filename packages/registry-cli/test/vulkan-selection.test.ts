import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { writeJson } from "./helpers/registry-fixtures.js";
import { runCli } from "./helpers/run-cli.js";
import { tempDir } from "@baiengine/test-kit";

/**
 * `resolve` on this machine with the real vulkaninfo: its only Vulkan device is Mesa's llvmpipe
 * (mesa-vulkan-drivers), a software renderer, so an index with cpu and vulkan packages resolves to
 * cpu with the reason on vulkan's line. The Vulkan loader is pointed at llvmpipe's own ICD
 * (VK_DRIVER_FILES, and VK_ICD_FILENAMES for loaders before 1.3.207), so the test says the same on
 * a developer machine that also has a GPU; on this machine the loader finds nothing else anyway.
 */
const ICD_DIR = "/usr/share/vulkan/icd.d";

function llvmpipeIcd(): string {
  const icd = readdirSync(ICD_DIR).find((name) => name.startsWith("lvp_icd."));
  if (icd === undefined) throw new Error(`no llvmpipe ICD (lvp_icd.*.json) in ${ICD_DIR}; run: bash scripts/setup.sh (Debian package mesa-vulkan-drivers)`);
  return join(ICD_DIR, icd);
}

const entry = (accel: "cpu" | "vulkan", sha: string) => ({
  os: "linux",
  arch: "x86_64",
  accelerator: accel,
  acceleratorVersion: null,
  filename: `hello-0.1.0-linux-x86_64-${accel}.baiengine`,
  size: 1000,
  sha256: sha.repeat(64),
});

describe("resolve on a machine whose only Vulkan device is a software renderer", () => {
  let registry: string;
  let softwareOnly: NodeJS.ProcessEnv;
  let llvmpipe: string;

  beforeAll(async () => {
    const work = await tempDir();
    registry = join(work, "engines.json");
    await writeJson(registry, {
      schemaVersion: 1,
      lastUpdated: "2025-01-10T00:00:00Z",
      baseUrl: "https://example.invalid/releases/download",
      engines: [
        { id: "hello", name: "Hello", description: "the packer's fixture engine", latestVersion: "0.1.0", modelFormats: ["gguf"], packages: [entry("vulkan", "b"), entry("cpu", "a")] },
      ],
    });
    const icd = llvmpipeIcd();
    softwareOnly = { VK_DRIVER_FILES: icd, VK_ICD_FILENAMES: icd };
    const summary = execFileSync("vulkaninfo", ["--summary"], { env: { ...process.env, ...softwareOnly }, stdio: ["ignore", "pipe", "ignore"] }).toString();
    const names = [...summary.matchAll(/^\s+deviceName\s+=\s+(.+)$/gm)].map((m) => m[1]!.trim());
    expect(names).toHaveLength(1);
    llvmpipe = names[0]!;
    expect(llvmpipe).toMatch(/^llvmpipe/);
  });

  it("chooses cpu, with the software device named on vulkan's line, in text and in --json", async () => {
    const skipped = `linux-x86_64-vulkan: skipped, the only Vulkan device is a software renderer (${llvmpipe})`;
    const text = await runCli(["resolve", "--registry", registry, "--engine", "hello"], { env: softwareOnly });
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.split("\n");
    expect(lines[0]).toBe("hello 0.1.0: linux-x86_64-cpu");
    expect(lines).toContain(`  ${skipped}`);
    expect(lines).toContain("  linux-x86_64-cpu: usable, CPU runs everywhere");
    expect(lines).toContain("  chosen: linux-x86_64-cpu");
    expect(lines).toContain(`  host: vulkaninfo lists ${llvmpipe} (software)`);
    const json = await runCli(["resolve", "--registry", registry, "--engine", "hello", "--json"], { env: softwareOnly });
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.platform).toBe("linux-x86_64-cpu");
    expect(parsed.reasons).toContain(skipped);
    expect(parsed.reasons.at(-1)).toBe("chosen: linux-x86_64-cpu");
  });

  /** `resolve --json` for this host under `env`: the platform chosen and the reasons. */
  async function resolveJson(env: NodeJS.ProcessEnv): Promise<{ platform: string; reasons: string[] }> {
    const run = await runCli(["resolve", "--registry", registry, "--engine", "hello", "--json"], { env });
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout);
  }

  it("a loader whose devices cannot be listed (no vulkaninfo on PATH) keeps cpu, and says so", async () => {
    const resolved = await resolveJson({ ...softwareOnly, PATH: await tempDir("no-tools-") });
    expect(resolved.platform).toBe("linux-x86_64-cpu");
    expect(resolved.reasons).toContain(
      "linux-x86_64-vulkan: skipped, a Vulkan loader is installed but its devices cannot be listed (vulkaninfo not found); install vulkaninfo (vulkan-tools) to let resolve list them, or pass --accel vulkan to take it anyway",
    );
  });

  it("a loader with no driver at all (vulkaninfo fails): cpu, naming the Vulkan result", async () => {
    const missing = "/nonexistent/vulkan-icd.json";
    const resolved = await resolveJson({ VK_DRIVER_FILES: missing, VK_ICD_FILENAMES: missing });
    expect(resolved.platform).toBe("linux-x86_64-cpu");
    expect(resolved.reasons).toContain(
      "linux-x86_64-vulkan: skipped, a Vulkan loader is installed but its devices cannot be listed (vulkaninfo --summary failed: ERROR_INCOMPATIBLE_DRIVER (no Vulkan driver)); pass --accel vulkan to take it anyway",
    );
  });

  it("--accel vulkan still takes the vulkan package on request", async () => {
    const run = await runCli(["resolve", "--registry", registry, "--engine", "hello", "--os", "linux", "--arch", "x86_64", "--accel", "vulkan"], { env: softwareOnly });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split("\n")[0]).toBe("hello 0.1.0: linux-x86_64-vulkan");
  });
});
