import { rm, rmdir, stat } from "node:fs/promises";
import { lockPath, makeFolders } from "@baiengine/cli-kit/system";
import { dirname, join } from "node:path";
import type { EntryRequirements, Reporter } from "@baiengine/schema";
import { describeFinding as formatFinding, errorFindings } from "@baiengine/verifier";
import { DownloadError, InstallRefusedError } from "../errors.js";
import type { HostFacts } from "../resolve/host-facts.js";
import type { ByteSource, Finding, PackageVerifier } from "../verifier-port.js";
import type { HttpCredential } from "../http/credentials.js";
import { PackageDownload, RestartFromZero } from "./download.js";
import { installingPath } from "./place-install.js";

/**
 * The steps every install shares, engine package or runtime pack: the per-file install lock, the
 * one-pass download + verified extraction with its restart-once rule, and the refusal messages.
 */

/** Where the package bytes come from. */
export type InstallSource =
  | { kind: "file"; path: string }
  | { kind: "download"; url: string; size: number; sha256: string; requirements?: EntryRequirements };

/** What every install plan has: one file, one destination folder, one lock, one partial download. */
export interface InstallTarget {
  filename: string;
  enginesDir: string;
  /** The installed folder (renamed into place whole). */
  dest: string;
  /** The file whose lock serialises installs of this file: `<engines-dir>/.downloads/<filename>` (lock folder `<…>.lock`). */
  lock: string;
  /** The partial download kept across runs for resuming (`<engines-dir>/.downloads/<filename>.part`); null for a local file. */
  part: string | null;
  source: InstallSource;
  /** Replace an installed copy (and, for engines, install despite unmet requirements). */
  force: boolean;
}

/** The shared part of a plan: the partial download and lock live in `<engines-dir>/.downloads/`. */
export function planTarget(source: InstallSource, filename: string, enginesDir: string, dest: string, force: boolean | undefined): InstallTarget {
  const downloads = join(enginesDir, ".downloads");
  const part = source.kind === "download" ? join(downloads, `${filename}.part`) : null;
  return { filename, enginesDir, dest, lock: join(downloads, filename), part, source, force: Boolean(force) };
}

/** The plan's source, destination, partial file and lock as `--dry-run` lines. */
export function describeTarget(target: InstallTarget): string[] {
  const s = target.source;
  return [
    `from    ${s.kind === "file" ? s.path : `${s.url} (${s.size} bytes, sha256 ${s.sha256})`}`,
    `to      ${target.dest}${target.force ? " (replacing an installed copy)" : ""}`,
    ...(target.part ? [`partial ${target.part} (resumed when present)`] : []),
    `lock    ${target.lock}.lock`,
  ];
}

/** What every install result says (engine package or runtime pack). */
export interface InstalledFacts {
  /** The installed folder. */
  dir: string;
  /** The local file or the URL installed from. */
  file: string;
  sha256: string;
  /** Bytes of the package file. */
  size: number;
  /** Entries written. */
  files: number;
  /** True when it was already installed and --force was not given (nothing was downloaded or extracted). */
  alreadyInstalled: boolean;
}

/** What an install result says before anything is extracted: the plan's facts, the index's size and sha256. */
export function resultBase(target: InstallTarget): Omit<InstalledFacts, "alreadyInstalled"> {
  const s = target.source;
  return { dir: target.dest, file: s.kind === "file" ? s.path : s.url, sha256: s.kind === "download" ? s.sha256 : "", size: s.kind === "download" ? s.size : 0, files: 0 };
}

export interface InstallDeps {
  verifier: PackageVerifier;
  reporter?: Reporter;
  signal?: AbortSignal;
  /** This machine's facts, for requirement checks; detected when needed and not given. */
  host?: HostFacts;
}

export interface DownloadTuning {
  retries?: number;
  timeoutMs?: number;
  backoffMs?: number;
  /** A token for a private mirror (the URL's user:password is the other kind of credential). */
  credential?: HttpCredential;
  /** The longest `Retry-After` honoured, ms. */
  maxRetryWaitMs?: number;
}

/** How long a second install of the same file waits for the first (a slow download), ms. */
const INSTALL_LOCK_TIMEOUT_MS = 60 * 60_000;

export const exists = (path: string) => stat(path).then(() => true, () => false);

/** Runs `work` holding the target's install lock; a second installer waits, saying so. */
export async function withInstallLock<T>(target: Pick<InstallTarget, "lock" | "filename">, reporter: Reporter, work: () => Promise<T>): Promise<T> {
  await makeFolders(dirname(target.lock));
  const release = await lockPath(target.lock, {
    timeoutMs: INSTALL_LOCK_TIMEOUT_MS,
    onWait: (holder) => reporter.log?.("info", `waiting for another install of ${target.filename}: ${holder}`),
    onTakeOver: (holder, why) => reporter.log?.("warn", `taking over the install lock of ${target.filename} from ${holder}: ${why}`),
    timedOut: (holder, lock, staleMs) =>
      new InstallRefusedError(`another install of ${target.filename} (${holder}) did not finish within ${INSTALL_LOCK_TIMEOUT_MS / 60_000} minutes`, `if it is gone, its lock ${lock} is taken over (at once when its process has exited on this host, after ${staleMs / 1000}s without a heartbeat otherwise)`),
  });
  try {
    return await work();
  } finally {
    await release();
  }
}

/**
 * The verifier's refusal as one InstallRefusedError line. A failure to write the extracted files
 * (EXTRACT_WRITE_FAILED: the disk full, no permission) is this machine's, not the package's: it is
 * said so, with a hint about the engines folder instead of the package.
 */
export function rejectedMessage(file: string, error: unknown): InstallRefusedError {
  const findings = (error as { findings?: Finding[] }).findings;
  const errors = findings ? errorFindings(findings) : [];
  const detail = findings ? errors.map(formatFinding).join("; ") : (error as Error).message;
  if (errors.length > 0 && errors.every((f) => f.code === "EXTRACT_WRITE_FAILED")) {
    return new InstallRefusedError(`${file} could not be extracted into the engines folder: ${detail}`, "nothing was installed; free space there (or pick another --engines-dir), then install again");
  }
  return new InstallRefusedError(`${file} was rejected: ${detail}`, "nothing was installed; use a package that passes verify-engine");
}

/** The sha256 the verifier computed, when its only quarrel with the bytes is that they are not the published ones. */
function mismatchedSha256(error: unknown): string | null {
  const findings = (error as { findings?: Finding[] }).findings ?? [];
  const finding = findings.find((f) => f.code === "SHA256_MISMATCH");
  return finding ? (/sha256 is ([0-9a-f]{64})/.exec(finding.message)?.[1] ?? "(unknown)") : null;
}

/** The verifier's extraction of one kind of package (engine or runtime) from a file or a download stream. */
export type ExtractFn<R> = (source: string | ByteSource, temp: string, options: { expectedSha256?: string; expectedFilename: string; reporter?: Reporter }) => Promise<R>;

/** Extracts a local file with the verifier; a refusal becomes one InstallRefusedError line. */
export async function extractLocal<R>(target: InstallTarget, file: string, temp: string, deps: InstallDeps, extract: ExtractFn<R>): Promise<R> {
  deps.reporter?.step?.("verify and extract", target.filename);
  try {
    return await extract(file, temp, { expectedFilename: target.filename, ...(deps.reporter ? { reporter: deps.reporter } : {}) });
  } catch (error) {
    throw rejectedMessage(target.filename, error);
  }
}

/**
 * Downloads and extracts in one pass: the verifier reads the bytes as they arrive (hashing, checking
 * and writing them into `temp`) while the download appends them to the partial file for resuming.
 * A resumed download whose sha256 does not match, or a server that cannot continue, starts once more
 * from zero before the mismatch is reported.
 */
export async function downloadAndExtract<R>(target: InstallTarget, temp: string, deps: InstallDeps, tuning: DownloadTuning, extract: ExtractFn<R>): Promise<R> {
  const source = target.source as Extract<InstallSource, { kind: "download" }>;
  for (let pass = 1; ; pass++) {
    const download = new PackageDownload({
      url: source.url,
      part: target.part!,
      expectedSize: source.size,
      expectedSha256: source.sha256,
      ...tuning,
      ...(deps.reporter ? { reporter: deps.reporter } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    deps.reporter?.step?.("download, verify and extract", source.url);
    try {
      const extracted = await extract({ name: target.filename, size: source.size, chunks: download.chunks() }, temp, { expectedSha256: source.sha256, expectedFilename: target.filename });
      await download.discard();
      return extracted;
    } catch (error) {
      const actual = mismatchedSha256(error);
      if (pass === 1 && (error instanceof RestartFromZero || (actual !== null && download.resumed))) {
        const why = actual !== null ? `${source.url}: the resumed download's sha256 is ${actual}, not the index's` : error instanceof Error ? error.message : String(error);
        deps.reporter?.log?.("warn", `${why.startsWith(source.url) ? why : `${source.url}: ${why}`}; downloading again from zero`);
        await download.discard();
        continue;
      }
      throw await downloadFailure(error, actual, target, download);
    }
  }
}

/** The error a failed download pass ends with; the partial file is kept only for a transient failure. */
async function downloadFailure(error: unknown, actual: string | null, target: InstallTarget, download: PackageDownload): Promise<unknown> {
  const source = target.source as Extract<InstallSource, { kind: "download" }>;
  if (error instanceof DownloadError && error.transient) return error;
  await download.discard();
  if (actual !== null) {
    return new DownloadError(
      `${source.url}: the ${source.size} bytes received have sha256 ${actual}, the index lists ${source.sha256} for ${target.filename}`,
      "the file at that URL is not the one the index lists (re-uploaded under the same name, or an out-of-date mirror); nothing was installed",
    );
  }
  return error instanceof DownloadError ? error : rejectedMessage(target.filename, error);
}

/** Leaves no empty folders between `dir` and `enginesDir` (exclusive) behind a refused install. */
export async function removeEmptyParents(dir: string, enginesDir: string, levels: number): Promise<void> {
  for (let k = 0; k < levels && dir !== enginesDir; k++, dir = dirname(dir)) {
    await rmdir(dir).catch(() => {});
  }
}

/**
 * Extracts the target (local file or one-pass download) into a temporary folder beside its
 * destination and hands `finish` the extracted `package/` folder to check and rename into place.
 * On any error the temporary folder and the empty parents it needed (`parentLevels` of them below
 * the engines folder) are removed, so a refused install leaves nothing.
 */
export async function installExtracted<E, R>(
  target: InstallTarget,
  deps: InstallDeps,
  tuning: DownloadTuning,
  io: { extract: ExtractFn<E>; parentLevels: number },
  finish: (extracted: E, packageDir: string) => Promise<R>,
): Promise<R> {
  await makeFolders(dirname(target.dest));
  const temp = installingPath(target.dest);
  try {
    const extracted = target.source.kind === "file" ? await extractLocal(target, target.source.path, temp, deps, io.extract) : await downloadAndExtract(target, temp, deps, tuning, io.extract);
    return await finish(extracted, join(temp, "package"));
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    await removeEmptyParents(dirname(target.dest), target.enginesDir, io.parentLevels);
    throw error;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
