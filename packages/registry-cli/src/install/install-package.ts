import { randomBytes } from "node:crypto";
import { mkdir, rm, rmdir, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { renameWithRetry } from "@baiengine/cli-kit/system";
import { parsePackageFilename, type Registry, type Reporter } from "@baiengine/schema";
import { InstallRefusedError } from "../errors.js";
import type { Resolution } from "../resolve/resolve-package.js";
import { describeFinding, errorFindings } from "@baiengine/verifier";
import type { Finding, PackageVerifier } from "../verifier-port.js";
import { downloadPackage } from "./download.js";
import { installPath } from "./engines-dir.js";

export interface InstallResult {
  engineId: string;
  version: string;
  dir: string;
  file: string;
  sha256: string;
  size: number;
  files: number;
  /** True when that platform was already installed and --force was not given. */
  alreadyInstalled: boolean;
}

export interface InstallDeps {
  verifier: PackageVerifier;
  reporter?: Reporter;
  signal?: AbortSignal;
}

const exists = (path: string) => stat(path).then(() => true, () => false);

function rejectedMessage(file: string, error: unknown): InstallRefusedError {
  const findings = (error as { findings?: Finding[] }).findings;
  const detail = findings ? errorFindings(findings).map(describeFinding).join("; ") : (error as Error).message;
  return new InstallRefusedError(`${basename(file)} was rejected: ${detail}`, "nothing was installed; use a package that passes verify-engine");
}

/**
 * Installs a local package file: the verifier's safe extraction into a temporary folder beside the
 * destination, then one rename of its `package/` folder into `<engines-dir>/<id>/<version>/<platform>/`. On any error the
 * temporary folder is removed and nothing is installed.
 */
export async function installFile(
  file: string,
  enginesDir: string,
  deps: InstallDeps,
  options: { expectedSha256?: string; force?: boolean } = {},
): Promise<InstallResult> {
  let name: ReturnType<typeof parsePackageFilename>;
  try {
    name = parsePackageFilename(basename(file));
  } catch (error) {
    throw new InstallRefusedError(`${basename(file)}: ${(error as Error).message}`, "package files are named {engine}-{version}-{os}-{arch}-{accelerator}.baiengine");
  }
  const versionDir = join(enginesDir, name.engineId, name.version);
  await mkdir(versionDir, { recursive: true });
  const temp = join(versionDir, `.installing-${process.pid}-${randomBytes(4).toString("hex")}`);
  deps.reporter?.step?.("verify and extract", basename(file));
  let extracted: Awaited<ReturnType<PackageVerifier["extract"]>>;
  try {
    extracted = await deps.verifier.extract(file, temp, {
      expectedFilename: basename(file),
      ...(options.expectedSha256 ? { expectedSha256: options.expectedSha256 } : {}),
      ...(deps.reporter ? { reporter: deps.reporter } : {}),
    });
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    await removeIfEmpty(versionDir, enginesDir);
    throw rejectedMessage(file, error);
  }
  const dest = installPath(enginesDir, extracted.manifest);
  const result = { engineId: extracted.manifest.engineId, version: extracted.manifest.version, dir: dest, file, sha256: extracted.sha256, size: extracted.size, files: extracted.files.length };
  try {
    if (dirname(dest) !== versionDir) throw new InstallRefusedError(`${basename(file)}: its manifest names another engine or version than its file name`, "nothing was installed");
    if (await exists(dest)) {
      if (!options.force) {
        await rm(temp, { recursive: true, force: true });
        return { ...result, alreadyInstalled: true };
      }
      const old = `${temp}-old`;
      await renameWithRetry(dest, old);
      await renameWithRetry(join(temp, "package"), dest);
      await rm(temp, { recursive: true, force: true });
      await rm(old, { recursive: true, force: true });
    } else {
      await renameWithRetry(join(temp, "package"), dest);
      await rm(temp, { recursive: true, force: true });
    }
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  return { ...result, alreadyInstalled: false };
}

async function removeIfEmpty(versionDir: string, enginesDir: string): Promise<void> {
  // Leaves no empty <id>/<version> folders behind a refused install.
  for (const dir of [versionDir, dirname(versionDir)]) {
    if (dir === enginesDir) return;
    await rmdir(dir).catch(() => {});
  }
}

/**
 * Installs a resolved registry package: download (resume, retries, size/sha256 against the index) into
 * `<engines-dir>/.downloads/`, then `installFile`. The downloaded file is removed afterwards.
 */
export async function installResolved(
  resolution: Resolution,
  enginesDir: string,
  deps: InstallDeps,
  options: { force?: boolean; retries?: number; timeoutMs?: number; backoffMs?: number } = {},
): Promise<InstallResult> {
  const dest = join(enginesDir, ".downloads", resolution.entry.filename);
  const downloaded = await downloadPackage({
    url: resolution.url,
    dest,
    expectedSize: resolution.entry.size,
    expectedSha256: resolution.entry.sha256,
    ...(options.retries !== undefined ? { retries: options.retries } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
    ...(deps.reporter ? { reporter: deps.reporter } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  try {
    return await installFile(downloaded.file, enginesDir, deps, { expectedSha256: resolution.entry.sha256, ...(options.force ? { force: true } : {}) });
  } finally {
    await unlink(downloaded.file).catch(() => {});
  }
}

/** A registry whose baseUrl points at a local folder of `{tag}/{filename}` (offline mirrors, tests). */
export function fileBaseUrl(folder: string): string {
  return pathToFileURL(folder).href.replace(/\/$/, "");
}

export type { Registry };
