import { closeSync, constants, mkdirSync, openSync, readdirSync, rmSync, statSync, symlinkSync, writeSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
// The errors subpath keeps commander and cli-progress out of library imports.
import { FailureError } from "@baiengine/cli-kit/errors";
import type { Manifest, Reporter } from "@baiengine/schema";
import type { TarEntry } from "./archive/tar-reader.js";
import { describeFinding, errorFinding, errorFindings, type Finding, hasErrors } from "./findings.js";
import type { Limits } from "./limits.js";
import { reportFromScan, type VerifyReport } from "./report.js";
import { type ByteSource, type EntryWriter, type ScanResult, scanPackage } from "./scan.js";

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
    const errors = errorFindings(findings);
    const first = errors[0];
    super(
      `${file} was refused: ${first ? describeFinding(first) : "unknown reason"}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ""}`,
      "run verify-engine on the file to see every finding",
    );
  }
}

/**
 * Extracts a package into `dest` (absent or an empty folder): a full verification pass first (nothing
 * written when it finds an error), then a second pass of the very same parser and rules that writes
 * while it streams and must see the same sha256. Symlinks are created last, after every check passed. On
 * any error finding it removes what it wrote and throws PackageRejectedError. A ByteSource (a download
 * in progress) cannot be read twice: it is verified and written in one pass into `dest`, which the
 * caller must treat as unverified until this returns (the registry CLI extracts into a temporary folder
 * and renames it into place only then); an error thrown by the source is rethrown after the cleanup.
 */
export async function extractPackage(source: string | ByteSource, dest: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const file = typeof source === "string" ? source : source.name;
  const root = resolve(dest);
  // The whole verifier runs before anything is written, so a refused package file never reaches `dest`.
  const checked = typeof source === "string" ? await scanPackage(file, options) : null;
  const preFindings = checked ? [...checked.findings, ...sha256Findings(checked.sha256, options.expectedSha256)] : [];
  if (hasErrors(preFindings)) throw new PackageRejectedError(file, preFindings);
  const createdRoot = prepareDestination(root);
  const writer = new StreamingWriter(root);
  let scan: ScanResult;
  try {
    scan = await scanPackage(source, { ...options, writer });
  } catch (error) {
    writer.close();
    cleanup(root, createdRoot);
    throw error;
  }
  writer.close();
  const findings = [...scan.findings, ...writer.findings];
  // The second pass must read the very bytes the first one verified.
  findings.push(...sha256Findings(scan.sha256, options.expectedSha256 ?? checked?.sha256));
  // Every check passed, so no symlink points outside and nothing was written through one.
  if (!hasErrors(findings) && !writer.stopped) findings.push(...writer.createSymlinks());
  const report = reportFromScan(file, scan, findings);
  if (!report.ok || !scan.manifest) {
    cleanup(root, createdRoot);
    throw new PackageRejectedError(file, findings);
  }
  return { manifest: scan.manifest, sha256: scan.sha256, size: scan.size, files: writer.files, report };
}

function sha256Findings(actual: string, expected: string | undefined): Finding[] {
  if (expected === undefined || expected.toLowerCase() === actual) return [];
  return [errorFinding("SHA256_MISMATCH", `sha256 is ${actual}, expected ${expected}`)];
}

/**
 * Writes entries under `root` as the scan streams them: folders and files at once (O_EXCL,
 * O_NOFOLLOW), symlinks only recorded until `createSymlinks`. Stops at the first error finding
 * of the scan or the first failed write.
 */
class StreamingWriter implements EntryWriter {
  /** Written paths relative to the root, files and symlinks. */
  readonly files: string[] = [];
  readonly findings: Finding[] = [];
  stopped = false;
  private readonly symlinks: TarEntry[] = [];
  private fd: number | null = null;

  constructor(private readonly root: string) {}

  entry(entry: TarEntry, clean: boolean): ((chunk: Buffer) => void) | null {
    if (!clean) this.stopped = true;
    if (this.stopped) return null;
    try {
      const full = this.place(entry.path);
      if (entry.type === "directory") mkdirSync(full, { recursive: true, mode: 0o755 });
      if (entry.type === "symlink") this.symlinks.push(entry);
      if (entry.type !== "file") return null;
      mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
      const mode = entry.mode & 0o111 ? 0o755 : 0o644;
      this.fd = openSync(full, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
      this.files.push(entry.path);
      return (chunk) => this.write(entry, chunk);
    } catch (error) {
      this.fail(entry, error);
      return null;
    }
  }

  entryEnd(): void {
    this.close();
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /** Creates the recorded symlinks; returns the finding of the first that could not be made. */
  createSymlinks(): Finding[] {
    for (const link of this.symlinks) {
      try {
        const full = this.place(link.path);
        mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
        symlinkSync(link.linkpath, full);
        this.files.push(link.path);
      } catch (error) {
        return [errorFinding("EXTRACT_WRITE_FAILED", `could not create symlink: ${(error as Error).message}`, link.path)];
      }
    }
    return [];
  }

  private write(entry: TarEntry, chunk: Buffer): void {
    if (this.fd === null) return;
    try {
      writeSync(this.fd, chunk);
    } catch (error) {
      this.fail(entry, error);
    }
  }

  /** The absolute path of an entry; throws for one that resolves outside the root (the rules refuse those first). */
  private place(path: string): string {
    const full = resolve(this.root, path);
    if (!full.startsWith(this.root + sep)) throw new Error(`${path} resolves outside the destination`);
    return full;
  }

  private fail(entry: TarEntry, error: unknown): void {
    this.close();
    this.stopped = true;
    this.findings.push(errorFinding("EXTRACT_WRITE_FAILED", `could not write: ${(error as Error).message}`, entry.path));
  }
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
}
