import { closeSync, constants, mkdirSync, openSync, readdirSync, rmSync, statSync, symlinkSync, writeSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
// The errors subpath keeps commander and cli-progress out of library imports.
import { FailureError } from "@baiengine/cli-kit/errors";
import type { Manifest, Reporter } from "@baiengine/schema";
import type { TarEntry } from "./archive/tar-reader.js";
import { errorFinding, type Finding, hasErrors } from "./findings.js";
import type { Limits } from "./limits.js";
import { scanPackage } from "./scan.js";
import { reportFromScan, type VerifyReport } from "./verify.js";

export interface ExtractOptions {
  limits?: Partial<Limits>;
  reporter?: Reporter;
  expectedSha256?: string;
  expectedFilename?: string;
  signal?: AbortSignal;
}

export interface ExtractResult {
  manifest: Manifest;
  sha256: string;
  size: number;
  /** Written paths relative to `dest` (e.g. `package/llama-server`), files and symlinks. */
  files: string[];
  report: VerifyReport;
}

/** A package was refused; nothing it would have written is left behind. */
export class PackageRejectedError extends FailureError {
  constructor(
    readonly file: string,
    readonly findings: Finding[],
  ) {
    const errors = findings.filter((f) => f.severity === "error");
    const first = errors[0];
    super(
      `${file} was refused: ${first ? `${first.code}${first.path ? ` ${first.path}` : ""}: ${first.message}` : "unknown reason"}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ""}`,
      "run verify-engine on the file to see every finding",
    );
  }
}

/**
 * Extracts a package into `dest` (absent or an empty folder) with the very parser and rules of
 * verification, writing while it streams. Symlinks are created last, after every check passed. On
 * any error finding it removes what it wrote and throws PackageRejectedError.
 */
export async function extractPackage(file: string, dest: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const root = resolve(dest);
  const createdRoot = prepareDestination(root);
  const files: string[] = [];
  const symlinks: TarEntry[] = [];
  const writeFindings: Finding[] = [];
  let stopped = false;
  let fd: number | null = null;

  const closeOpen = () => {
    if (fd !== null) closeSync(fd);
    fd = null;
  };
  const target = (path: string): string => {
    const full = resolve(root, path);
    if (!full.startsWith(root + sep)) throw new Error(`${path} resolves outside the destination`);
    return full;
  };
  const failWrite = (entry: TarEntry, error: unknown) => {
    closeOpen();
    stopped = true;
    writeFindings.push(errorFinding("EXTRACT_WRITE_FAILED", `could not write: ${(error as Error).message}`, entry.path));
  };

  const writer = {
    entry(entry: TarEntry, clean: boolean): ((chunk: Buffer) => void) | null {
      if (!clean) stopped = true;
      if (stopped) return null;
      try {
        const full = target(entry.path);
        if (entry.type === "directory") {
          mkdirSync(full, { recursive: true, mode: 0o755 });
          return null;
        }
        if (entry.type === "symlink") {
          symlinks.push(entry);
          return null;
        }
        if (entry.type !== "file") return null;
        mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
        const mode = entry.mode & 0o111 ? 0o755 : 0o644;
        fd = openSync(full, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
        files.push(entry.path);
        return (chunk) => {
          if (fd === null) return;
          try {
            writeSync(fd, chunk);
          } catch (error) {
            failWrite(entry, error);
          }
        };
      } catch (error) {
        failWrite(entry, error);
        return null;
      }
    },
    entryEnd(): void {
      closeOpen();
    },
  };

  let scan: Awaited<ReturnType<typeof scanPackage>>;
  try {
    scan = await scanPackage(file, { ...options, writer });
  } catch (error) {
    closeOpen();
    cleanup(root, createdRoot);
    throw error;
  }
  closeOpen();
  const findings = [...scan.findings, ...writeFindings];
  if (options.expectedSha256 !== undefined && options.expectedSha256.toLowerCase() !== scan.sha256) {
    findings.push(errorFinding("SHA256_MISMATCH", `sha256 is ${scan.sha256}, expected ${options.expectedSha256}`));
  }
  if (!hasErrors(findings) && !stopped) {
    // Every check passed, so no symlink points outside and nothing was written through one.
    for (const link of symlinks) {
      try {
        const full = target(link.path);
        mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
        symlinkSync(link.linkpath, full);
        files.push(link.path);
      } catch (error) {
        findings.push(errorFinding("EXTRACT_WRITE_FAILED", `could not create symlink: ${(error as Error).message}`, link.path));
        break;
      }
    }
  }
  const report = reportFromScan(file, scan, findings);
  if (!report.ok || !scan.manifest) {
    cleanup(root, createdRoot);
    throw new PackageRejectedError(file, findings);
  }
  return { manifest: scan.manifest, sha256: scan.sha256, size: scan.size, files, report };
}

/** Makes sure `root` is a new or empty folder; returns the topmost folder created (to remove on failure), or null. */
function prepareDestination(root: string): string | null {
  let existing: ReturnType<typeof statSync> | undefined;
  try {
    existing = statSync(root);
  } catch {
    existing = undefined;
  }
  if (existing) {
    if (!existing.isDirectory()) throw new FailureError(`extraction destination ${root} exists and is not a folder`, "choose a new folder");
    if (readdirSync(root).length > 0) throw new FailureError(`extraction destination ${root} is not empty`, "choose a new or empty folder");
    return null;
  }
  const first = mkdirSync(root, { recursive: true, mode: 0o755 });
  return first ?? root;
}

/** Removes everything written: the folders we created, or the contents of the empty folder we were given. */
function cleanup(root: string, createdRoot: string | null): void {
  if (createdRoot) {
    rmSync(createdRoot, { recursive: true, force: true });
    return;
  }
  for (const name of readdirSync(root)) rmSync(join(root, name), { recursive: true, force: true });
  void relative;
}
