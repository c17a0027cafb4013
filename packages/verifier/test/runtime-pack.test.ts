import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as tar from "tar";
import { describe, expect, it } from "vitest";
import { verifyPackage } from "../src/index.js";
import { cuda13RuntimeManifest, tempDirSync } from "@baiengine/test-kit";

const root = tempDirSync("verifier-runtime");

const MANIFEST = cuda13RuntimeManifest();

/** A real shared library built by gcc: soname `name`, linking `needs` (built earlier in `dir`), RUNPATH $ORIGIN. */
function library(dir: string, name: string, needs: string[] = []): void {
  const c = join(dir, `${name}.c`);
  writeFileSync(c, `${needs.map((_, i) => `int dep${i}(void);`).join("\n")}\nint ${name.replace(/\W/g, "_")}(void) { return 0; }\n`);
  execFileSync("gcc", ["-shared", "-fPIC", `-Wl,-soname,${name}`, "-Wl,-rpath,$ORIGIN", "-Wl,--no-as-needed", "-o", join(dir, name), c, ...needs.map((n) => resolve(dir, n))]);
  rmSync(c);
}

/** Stages a runtime pack under a fresh folder and packs it with node-tar as `filename`; returns the file. */
async function runtimePack(filename: string, options: { manifest?: object; libraries?: [string, string[]][]; licence?: boolean } = {}): Promise<string> {
  const dir = mkdtempSync(join(root, "pack-"));
  const libs = join(dir, "package", "libs");
  mkdirSync(libs, { recursive: true });
  const libraries = options.libraries ?? [["libcudart.so.13", []], ["libcublasLt.so.13", []], ["libcublas.so.13", ["libcublasLt.so.13"]]];
  for (const [name, needs] of libraries) library(libs, name, needs);
  if (options.licence !== false) {
    mkdirSync(join(dir, "package", "licenses"));
    writeFileSync(join(dir, "package", "licenses", "NVIDIA-CUDA-EULA.txt"), "End User License Agreement\n");
  }
  writeFileSync(join(dir, "package", "manifest.json"), JSON.stringify(options.manifest ?? MANIFEST));
  const file = join(dir, filename);
  await tar.c({ gzip: true, file, cwd: dir, portable: true }, ["package"]);
  return file;
}

const errors = async (file: string) => (await verifyPackage(file)).findings.filter((f) => f.severity === "error").map((f) => `${f.code} ${f.path ?? ""}: ${f.message}`);
const NAME = "cuda13-runtime-13.0.88-linux-x86_64.bairuntime";

describe("runtime packs (.bairuntime)", () => {
  it("accepts a pack whose libraries, licences and manifest agree, and reports its manifest", async () => {
    const report = await verifyPackage(await runtimePack(NAME));
    expect(report.findings.filter((f) => f.severity !== "info")).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.manifest).toBeNull();
    expect(report.runtimeManifest).toMatchObject({ runtimeId: "cuda13-runtime", version: "13.0.88" });
  });

  it("--smoke on a good pack says there is no server to run (not that it failed verification)", async () => {
    const report = await verifyPackage(await runtimePack(NAME), { smoke: true });
    expect(report.ok).toBe(true);
    expect(report.smoke).toEqual({ ran: false, skippedReason: "a runtime pack has no server to run" });
  });

  it("refuses a manifest that provides a missing library or licence, or names another pack", async () => {
    const file = await runtimePack("cuda13-runtime-13.0.89-linux-x86_64.bairuntime", { licence: false, manifest: { ...MANIFEST, provides: [...MANIFEST.provides, "libcufft.so.12"] } });
    expect(await errors(file)).toEqual([
      "MANIFEST_FILENAME_MISMATCH package/manifest.json: version is \"13.0.88\" in the manifest but \"13.0.89\" in the file name \"cuda13-runtime-13.0.89-linux-x86_64.bairuntime\"",
      "RUNTIME_LIBRARY_MISSING package/libs/libcufft.so.12: the manifest provides libcufft.so.12 but the pack has no file libs/libcufft.so.12",
      "RUNTIME_LICENSE_MISSING package/licenses/NVIDIA-CUDA-EULA.txt: the manifest lists the licence licenses/NVIDIA-CUDA-EULA.txt but the pack has no such file",
    ]);
  });

  it("refuses a pack whose libraries link a GPU runtime library it does not carry", async () => {
    const dir = mkdtempSync(join(root, "outside-"));
    library(dir, "libcublasLt.so.13");
    const file = await runtimePack(NAME, { manifest: { ...MANIFEST, provides: ["libcudart.so.13", "libcublas.so.13"] }, libraries: [["libcudart.so.13", []], ["libcublas.so.13", [join(dir, "libcublasLt.so.13")]]] });
    expect(await errors(file)).toEqual(["RUNTIME_INCOMPLETE package/libs/libcublas.so.13: libcublasLt.so.13 (needed by libs/libcublas.so.13) is a GPU runtime library the pack does not provide"]);
  });

  it("refuses the driver in a runtime pack, and an engine manifest under a runtime name", async () => {
    const driver = await runtimePack(NAME, { manifest: { ...MANIFEST, provides: [...MANIFEST.provides, "libcuda.so.1"] }, libraries: [["libcudart.so.13", []], ["libcublasLt.so.13", []], ["libcublas.so.13", ["libcublasLt.so.13"]], ["libcuda.so.1", []]] });
    expect(await errors(driver)).toEqual([expect.stringMatching(/^LIB_DRIVER_BUNDLED libs\/libcuda\.so\.1: /)]);
    const engine = await runtimePack(NAME, { manifest: { engineId: "llama-cpp", version: "b1", accelerator: "cpu", acceleratorVersion: null, os: "linux", arch: "x86_64", serverBinary: "llama-server", modelFormats: ["gguf"], minAppVersion: "0.1.0" } });
    expect((await errors(engine)).filter((e) => e.startsWith("MANIFEST_SCHEMA"))).toEqual(expect.arrayContaining([expect.stringContaining("runtimeId:")]));
  });
});
