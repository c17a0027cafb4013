import { createHash } from "node:crypto";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Accelerator, Arch, Os } from "@baiengine/schema";
import { acceleratorToken, formatPackageFilename } from "@baiengine/schema";
import { create } from "tar";
import { tempDir } from "@baiengine/test-kit";

export interface PackageSpec {
  engineId?: string;
  version: string;
  os?: Os;
  arch?: Arch;
  accelerator?: Accelerator;
  acceleratorVersion?: string | null;
  variant?: string;
  /** Fields written into manifest.json over the ones matching the file name (to make a bad package). */
  manifestOverride?: Record<string, unknown>;
  /** Extra payload bytes, to make packages differ or grow. */
  payload?: string;
}

export interface BuiltPackage {
  path: string;
  filename: string;
  size: number;
  sha256: string;
}

/**
 * A real .baiengine (tar.gz with package/manifest.json and package/<server>) that passes the
 * verifier: the server binary is this machine's /bin/true, a real linux-x86_64 ELF executable. For
 * the other platforms' packages the tests use pure data (choosing) or the packer's output.
 */
export async function makePackage(dir: string, spec: PackageSpec): Promise<BuiltPackage> {
  const engineId = spec.engineId ?? "hello";
  const os = spec.os ?? "linux";
  const arch = spec.arch ?? "x86_64";
  if (os !== "linux" || arch !== "x86_64") throw new Error("makePackage builds linux-x86_64 packages (from /bin/true) only");
  const accelerator = spec.accelerator ?? "cpu";
  const acceleratorVersion = spec.acceleratorVersion ?? null;
  const filename = formatPackageFilename({
    engineId,
    version: spec.version,
    os,
    arch,
    acceleratorToken: acceleratorToken(accelerator, acceleratorVersion),
    ...(spec.variant ? { variant: spec.variant } : {}),
  });
  const staging = await tempDir("registry-cli-stage");
  try {
    await mkdir(join(staging, "package"));
    await copyFile("/bin/true", join(staging, "package", "llama-server"));
    const manifest = {
      engineId,
      version: spec.version,
      accelerator,
      acceleratorVersion,
      ...(spec.variant ? { variant: spec.variant } : {}),
      os,
      arch,
      serverBinary: "llama-server",
      modelFormats: ["gguf"],
      minAppVersion: "0.11.0",
      ...spec.manifestOverride,
    };
    await writeFile(join(staging, "package", "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    if (spec.payload) await writeFile(join(staging, "package", "NOTES.txt"), spec.payload);
    await mkdir(dir, { recursive: true });
    const path = join(dir, filename);
    await create({ gzip: true, cwd: staging, file: path, portable: true, mtime: new Date(0) }, ["package"]);
    const bytes = await readFile(path);
    return { path, filename, size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
