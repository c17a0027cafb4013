import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir, tempDirSync } from "@baiengine/test-kit";
import { describe, expect, it } from "vitest";
import { registryWithUnknownFields, writeJson } from "./helpers/registry-fixtures.js";
import { CLI } from "./helpers/run-cli.js";

/** Every module URL a fresh Node process loads for `args` (after node's own flags), through a real loader hook. */
function modulesLoadedFor(args: string[]): string[] {
  const record = join(tempDirSync("registry-imports"), "urls.txt");
  const hook = fileURLToPath(new URL("./helpers/record-imports.mjs", import.meta.url));
  execFileSync(process.execPath, ["--import", hook, ...args], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    env: { ...process.env, RECORD_IMPORTS_TO: record },
    stdio: ["ignore", "ignore", "pipe"],
  });
  return readFileSync(record, "utf8").split("\n").filter(Boolean);
}

const modulesLoadedBy = (code: string) => modulesLoadedFor(["--input-type=module", "-e", code]);

describe("the app side does not load the builder", () => {
  it("loading @baiengine/registry-cli (resolve, install, update) loads no packer, execa or archiver", () => {
    const urls = modulesLoadedBy(`import("@baiengine/registry-cli").then((m) => { if (!m.installResolved || !m.engineMetadata) process.exit(3); });`);
    expect(urls.some((u) => u.includes("/registry-cli/dist/"))).toBe(true);
    expect(urls.some((u) => u.includes("/profiles/dist/"))).toBe(true);
    expect(urls.filter((u) => /\/packer\/|\/execa\/|\/archiver\//.test(u))).toEqual([]);
  });

  it("loading it for an install loads no undici: downloads use Node's own HTTP client (undici's WebAssembly parser held ~25 MB of an install's peak memory)", () => {
    const urls = modulesLoadedBy(`import("@baiengine/registry-cli").then((m) => { if (!m.installResolved || !m.PackageDownload) process.exit(3); });`);
    expect(urls.some((u) => u.includes("/registry-cli/dist/install/"))).toBe(true);
    expect(urls.filter((u) => /\/undici\//.test(u))).toEqual([]);
  });

  it("install --dry-run loads its own command module and no module of another command", async () => {
    const dir = await tempDir();
    const registry = join(dir, "engines.json");
    await writeJson(registry, registryWithUnknownFields());
    const args = ["install", "--registry", registry, "--engine", "llama-cpp", "--os", "linux", "--arch", "x86_64", "--accel", "cpu", "--engines-dir", join(dir, "engines"), "--dry-run"];
    const ours = (u: string) => u.includes("/registry-cli/dist/");
    const urls = modulesLoadedFor([CLI, ...args]).filter(ours).map((u) => u.slice(u.indexOf("/dist/") + "/dist/".length));
    expect(urls).toContain("commands/install.js");
    expect(urls).toContain("install/install-plan.js");
    expect(urls.filter((u) => u.startsWith("commands/") && u !== "commands/install.js")).toEqual([]);
    // What only other commands use: publishing (update, name-packages, set-base-url), packages.json, init, validate, list.
    expect(urls.filter((u) => /^(update|packages-json|init|validate|list)\//.test(u) || u === "index-file/modify-index.js")).toEqual([]);
  });

  it("a command module returns what its CLI renders, without a process", async () => {
    const dir = await tempDir();
    const registry = join(dir, "engines.json");
    await writeJson(registry, registryWithUnknownFields());
    const { listCommand } = await import("../src/commands/list.js");
    const shown = await listCommand({ registry });
    expect(shown.lines.join("\n")).toMatch(/^ENGINE +CHANNEL +VERSION +PLATFORM +SIZE +FILE\n/);
    expect(shown.json).toEqual([expect.objectContaining({ engine: "llama-cpp", platform: "linux-x86_64-cpu", size: 1234 })]);
  });

  it("takes update's engine metadata from the profiles' data", async () => {
    const { engineMetadata } = await import("../src/update/engine-metadata.js");
    expect(engineMetadata("llama-cpp")).toEqual({ name: "llama.cpp", description: expect.stringContaining("llama-server"), modelFormats: ["gguf"] });
    expect(engineMetadata("new-engine")).toBeNull();
  });
});
