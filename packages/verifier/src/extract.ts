import { chmodSync, closeSync, constants, fchmodSync, mkdirSync, openSync, readdirSync, rmSync, statSync, symlinkSync, writeSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
// The errors subpath keeps commander and cli-progress out of library imports.
import { FailureError } from "@baiengine/cli-kit/errors";
import type { Manifest, Reporter, RuntimeManifest } from "@baiengine/schema";
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

/** What `extractRuntimePack` wrote: a runtime pack's manifest in place of an engine's. */
export interface RuntimeExtractResult extends Omit<ExtractResult, "manifest"> {
  runtimeManifest: RuntimeManifest;
}

/** A package was refused; nothing it would have written is left behind. `findings` says why, as data. */
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
 * The package was refused because its bytes' sha256 (`actual`, lowercase hex) is not the one the
 * caller expected (`expected`, as given); `findings` holds SHA256_MISMATCH and any other finding.
 */
export class Sha256MismatchError extends PackageRejectedError {
  constructor(
    file: string,
    findings: Finding[],
    readonly expected: string,
    readonly actual: string,
  ) {
    super(file, findings);
  }
}

/** PackageRejectedError, or Sha256MismatchError when a sha256 was expected and the bytes have another. */
function rejection(file: string, findings: Finding[], actual: string, expected: string | undefined): PackageRejectedError {
  return expected !== undefined && expected.toLowerCase() !== actual ? new Sha256MismatchError(file, findings, expected, actual) : new PackageRejectedError(file, findings);
}

/**
 * Extracts a package into `dest` (absent or an empty folder) with the very parser and rules of
 * verification. `source` is a file or a ByteSource (a download, extracted as it arrives so its bytes
 * are read once). For a file, a full verification pass runs first, so nothing is written when it finds
 * an error; a ByteSource cannot be read twice, so its caller extracts into a temporary folder that is
 * renamed into place only after this returns (registry-cli's install does). Either way the writing
 * pass runs the same parser and rules, symlinks are created last, and on any error finding what was
 * written is removed and PackageRejectedError is thrown; an error thrown by the source is rethrown
 * after the cleanup.
 */
export async function extractPackage(source: string | ByteSource, dest: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const { scan, report, files } = await extractVerified(source, dest, options, (scan) => scan.manifest !== null);
  return { manifest: scan.manifest!, sha256: scan.sha256, size: scan.size, files, report };
}

/**
 * `extractPackage` for a runtime pack (`.bairuntime`, told by `expectedFilename` or the file's
 * name): the same one-pass verified extraction; a pack that is not a valid runtime pack is refused
 * with PackageRejectedError and nothing is left behind.
 */
export async function extractRuntimePack(source: string | ByteSource, dest: string, options: ExtractOptions = {}): Promise<RuntimeExtractResult> {
  const { scan, report, files } = await extractVerified(source, dest, options, (scan) => scan.runtimeManifest !== null);
  return { runtimeManifest: scan.runtimeManifest!, sha256: scan.sha256, size: scan.size, files, report };
}

/** The shared extraction; `complete` says whether the scan found the manifest the caller needs. */
async function extractVerified(source: string | ByteSource, dest: string, options: ExtractOptions, complete: (scan: ScanResult) => boolean) {
  const file = typeof source === "string" ? source : source.name;
  const root = resolve(dest);
  // The whole verifier runs before anything is written, so a refused package never reaches `dest`.
  let verifiedSha256: string | undefined;
  if (typeof source === "string") {
    const checked = await scanPackage(file, options);
    verifiedSha256 = checked.sha256;
    const preFindings = [...checked.findings, ...sha256Findings(checked.sha256, options.expectedSha256)];
    if (hasErrors(preFindings)) throw rejection(file, preFindings, checked.sha256, options.expectedSha256);
  }
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
  // The writing pass must read the very bytes the first one verified.
  const expectedSha256 = options.expectedSha256 ?? verifiedSha256;
  findings.push(...sha256Findings(scan.sha256, expectedSha256));
  // Every check passed, so no symlink points outside and nothing was written through one.
  if (!hasErrors(findings) && !writer.stopped) findings.push(...writer.createSymlinks());
  const report = reportFromScan(file, scan, findings);
  if (!report.ok || !complete(scan)) {
    cleanup(root, createdRoot);
    throw rejection(file, findings, scan.sha256, expectedSha256);
  }
  return { scan, report, files: writer.files };
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
      if (entry.type === "directory") makeDirs(full);
      if (entry.type === "symlink") this.symlinks.push(entry);
      if (entry.type !== "file") return null;
      makeDirs(dirname(full));
      const mode = entry.mode & 0o111 ? 0o755 : 0o644;
      this.fd = openSync(full, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
      // The umask narrowed the mode at creation; an engine installed by one user must run for another.
      fchmodSync(this.fd, mode);
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
        makeDirs(dirname(full));
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
      // write(2) may write less than asked (a disk filling up, RLIMIT_FSIZE) without an error: loop,
      // so the rest meets the error (ENOSPC, EFBIG) instead of leaving a silently truncated file.
      for (let offset = 0; offset < chunk.length; ) {
        const written = writeSync(this.fd, chunk, offset, chunk.length - offset);
        if (written === 0) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
        offset += written;
      }
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
  return makeDirs(root) ?? root;
}

/**
 * `mkdir -p` whose new folders are 0755 whatever the umask (extracted packages are documented as
 * 0755 folders, 0755 executables and 0644 other files); returns the first folder it created.
 */
function makeDirs(path: string): string | undefined {
  const first = mkdirSync(path, { recursive: true, mode: 0o755 });
  if (first === undefined) return undefined;
  for (let p = path; ; p = dirname(p)) {
    chmodSync(p, 0o755);
    if (p === first || dirname(p) === p) break;
  }
  return first;
}

/** Removes everything written: the folders we created, or the contents of the empty folder we were given. */
function cleanup(root: string, createdRoot: string | null): void {
  if (createdRoot) {
    rmSync(createdRoot, { recursive: true, force: true });
    return;
  }
  for (const name of readdirSync(root)) rmSync(join(root, name), { recursive: true, force: true });
}
