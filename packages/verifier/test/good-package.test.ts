import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { extractPackage, PackageRejectedError, verifyPackage } from "../src/index.js";
import { buildStaging, packWithGnuTar, packWithNodeTar, type Staging } from "./helpers/good-package.js";
import { PACKAGE_NAME } from "./helpers/tar-writer.js";
import { tempDirSync } from "@baiengine/test-kit";

let work: string;
let staging: Staging;
let nodeTarFile: string;
let gnuTarFile: string;

beforeAll(async () => {
  work = tempDirSync("verifier-good");
  staging = buildStaging(join(work, "staging"));
  mkdirSync(join(work, "node"));
  mkdirSync(join(work, "gnu"));
  nodeTarFile = join(work, "node", PACKAGE_NAME);
  gnuTarFile = join(work, "gnu", PACKAGE_NAME);
  await packWithNodeTar(staging, nodeTarFile);
  packWithGnuTar(staging, gnuTarFile);
});

describe("a good package", () => {
  for (const which of ["node-tar", "GNU tar"]) {
    it(`passes verification when packed by ${which}`, async () => {
      const file = which === "node-tar" ? nodeTarFile : gnuTarFile;
      const report = await verifyPackage(file);
      expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.manifest?.serverBinary).toBe("llama-server");
      expect(report.sha256).toBe(createHash("sha256").update(readFileSync(file)).digest("hex"));
      expect(report.size).toBe(statSync(file).size);
      expect(report.entries).toBeGreaterThanOrEqual(5);
      expect(report.requirements.glibc).toMatch(/^2\.\d+$/);
      expect(report.uncompressedSize).toBeGreaterThan(staging.server.length + staging.library.length);
    });
  }

  it("extracts into a new folder with modes and the SONAME symlink, and the server runs", async () => {
    const dest = join(work, "extract-1");
    const result = await extractPackage(gnuTarFile, dest);
    expect(result.manifest.engineId).toBe("llama-cpp");
    expect(result.files.sort()).toEqual(["package/libs/libhello.so.1", "package/libs/libhello.so.1.0.0", "package/llama-server", "package/manifest.json"]);
    expect(statSync(join(dest, "package/llama-server")).mode & 0o777).toBe(0o755);
    expect(statSync(join(dest, "package/manifest.json")).mode & 0o777).toBe(0o644);
    expect(lstatSync(join(dest, "package/libs/libhello.so.1")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dest, "package/libs/libhello.so.1"))).toBe("libhello.so.1.0.0");
    expect(readFileSync(join(dest, "package/llama-server")).equals(staging.server)).toBe(true);
  });

  it("refuses a destination that is not empty, and leaves it untouched", async () => {
    const dest = join(work, "extract-busy");
    mkdirSync(dest);
    writeFileSync(join(dest, "keep"), "x");
    await expect(extractPackage(gnuTarFile, dest)).rejects.toThrow(/not empty/);
    expect(readFileSync(join(dest, "keep"), "utf8")).toBe("x");
  });

  it("rejects a wrong expected sha256 and removes what it wrote", async () => {
    const dest = join(work, "extract-sha");
    const error = await extractPackage(gnuTarFile, dest, { expectedSha256: "0".repeat(64) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PackageRejectedError);
    expect((error as PackageRejectedError).findings.map((f) => f.code)).toContain("SHA256_MISMATCH");
    expect(existsSync(dest)).toBe(false);
  });

  it("smoke-runs the extracted server with --version from another folder", async () => {
    const report = await verifyPackage(nodeTarFile, { smoke: true });
    expect(report.smoke?.ran).toBe(true);
    expect(report.smoke?.runner).toBe("native");
    expect(report.smoke?.output).toContain("version: 1.0.0");
    expect(report.ok).toBe(true);
  });

  it("checks the file against its registry entry", async () => {
    const sha256 = createHash("sha256").update(readFileSync(nodeTarFile)).digest("hex");
    const size = statSync(nodeTarFile).size;
    const registry = (entry: object) => ({
      schemaVersion: 1 as const,
      lastUpdated: "2026-01-01T00:00:00Z",
      baseUrl: "https://example.com/releases",
      engines: [
        {
          id: "llama-cpp",
          name: "llama.cpp",
          description: "",
          latestVersion: "b4618",
          modelFormats: ["gguf"],
          packages: [{ os: "linux", arch: "x86_64", accelerator: "cpu", acceleratorVersion: null, filename: PACKAGE_NAME, size, sha256, ...entry }],
        },
      ],
    });
    // biome-ignore lint/suspicious/noExplicitAny: registry literals are checked by the schema at run time
    const ok = await verifyPackage(nodeTarFile, { registry: registry({}) as any });
    expect(ok.findings.filter((f) => f.code.startsWith("REGISTRY_"))).toEqual([]);
    // biome-ignore lint/suspicious/noExplicitAny: as above
    const bad = await verifyPackage(nodeTarFile, { registry: registry({ size: size + 1, sha256: "a".repeat(64), arch: "aarch64" }) as any });
    expect(bad.findings.map((f) => f.code).sort()).toEqual(["REGISTRY_FIELD_MISMATCH", "REGISTRY_SHA256_MISMATCH", "REGISTRY_SIZE_MISMATCH"]);
    // biome-ignore lint/suspicious/noExplicitAny: as above
    const missing = await verifyPackage(nodeTarFile, { registry: registry({ filename: "other-b1-linux-x86_64-cpu.baiengine" }) as any });
    expect(missing.findings.map((f) => f.code)).toEqual(["REGISTRY_NOT_LISTED"]);
  });
});
