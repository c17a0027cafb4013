import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDirSync } from "@baiengine/test-kit";

/** Every module URL a fresh Node process loads for `code`, through a real loader hook. */
function modulesLoadedBy(code: string): string[] {
  const record = join(tempDirSync("registry-imports"), "urls.txt");
  const hook = fileURLToPath(new URL("./helpers/record-imports.mjs", import.meta.url));
  execFileSync(process.execPath, ["--import", hook, "--input-type=module", "-e", code], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    env: { ...process.env, RECORD_IMPORTS_TO: record },
  });
  return readFileSync(record, "utf8").split("\n").filter(Boolean);
}

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

  it("takes update's engine metadata from the profiles' data", async () => {
    const { engineMetadata } = await import("../src/update/engine-metadata.js");
    expect(engineMetadata("llama-cpp")).toEqual({ name: "llama.cpp", description: expect.stringContaining("llama-server"), modelFormats: ["gguf"] });
    expect(engineMetadata("new-engine")).toBeNull();
  });
});
