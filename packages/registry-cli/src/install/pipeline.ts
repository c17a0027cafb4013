import { rm, rmdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { makeFolders } from "@baiengine/cli-kit/system";
import type { Reporter } from "@baiengine/schema";
import { DownloadError, HashMismatchError, PackageRefusedError } from "../errors.js";
import { type ByteSource, PackageRejectedError, Sha256MismatchError } from "../verifier-port.js";
import { trustRefusal } from "../tuf-client/refusal.js";
import { DownloadTooLong, RestartFromZero } from "./download.js";
import { takeInstallLock } from "./install-lock.js";
import type { DownloadTuning, InstallDeps, InstallTarget } from "./install-target.js";
import { openPackageBytes, type PackageBytes } from "./package-bytes.js";
import { installingPath, placeInstall, recoverInterrupted } from "./place-install.js";

/**
 * The one install pipeline, engine package or runtime pack: lock → recover → skip if installed →
 * temporary folder beside the destination → fetch and extract (the verifier pulls the bytes) → the
 * route's checks → place. The two kinds differ only in their InstallRoute.
 */

/** What the destination holds before an install: nothing, a whole installed copy (skipped), or a damaged one (replaced). */
export type InstalledState = { kind: "absent" } | { kind: "whole" } | { kind: "damaged"; damage: string };

/** The verifier's extraction of one kind of package from a byte source into a new folder. */
export type ExtractFn<E> = (source: ByteSource, dest: string, options: { expectedSha256?: string; expectedFilename: string; reporter?: Reporter }) => Promise<E>;

/**
 * A check of an extracted package before it is placed: refuses by throwing (nothing is installed
 * then), or returns. `packageDir` is the extracted `package/` folder in the temporary folder.
 */
export type InstallCheck<E> = (extracted: E, packageDir: string) => Promise<void>;

/** What sets one kind of install apart. */
export interface InstallRoute<E> {
  extract: ExtractFn<E>;
  /** Reads the destination: whether it is installed, and whole. */
  installed(target: InstallTarget): Promise<InstalledState>;
  /** Run in order on the extracted package; add one to add a rule. */
  checks: InstallCheck<E>[];
  /** Folders between the engines folder and the destination's parent, removed again when a refused install emptied them. */
  parentLevels: number;
}

export type PipelineOutcome<E> = { alreadyInstalled: true } | { alreadyInstalled: false; extracted: E; replaced: string | null };

/**
 * Installs `target` along `route`, all or nothing. Throws InstallRefusedError (a subclass:
 * PackageRefusedError with the verifier's findings) or DownloadError (HashMismatchError with
 * `expected`/`actual`); the destination is then as it was, and no temporary folder is left.
 */
export async function runInstall<E>(target: InstallTarget, route: InstallRoute<E>, deps: InstallDeps, tuning: DownloadTuning = {}): Promise<PipelineOutcome<E>> {
  const release = await takeInstallLock(target, deps.reporter);
  try {
    for (const line of await recoverInterrupted(target.dest)) deps.reporter?.log?.("warn", line);
    const state: InstalledState = target.force ? { kind: "absent" } : await route.installed(target);
    if (state.kind === "whole") return { alreadyInstalled: true };
    if (state.kind === "damaged") deps.reporter?.log?.("warn", `${target.dest} is damaged (${state.damage}); installing ${target.filename} again`);
    await makeFolders(dirname(target.dest));
    const temp = installingPath(target.dest);
    try {
      const extracted = await fetchAndExtract(target, temp, route.extract, deps, tuning);
      const packageDir = join(temp, "package");
      for (const check of route.checks) await check(extracted, packageDir);
      // A damaged copy is replaced like a --force install: moved aside, never deleted before the new one is in.
      await placeInstall(packageDir, target.dest, target.force || state.kind === "damaged");
      return { alreadyInstalled: false, extracted, replaced: state.kind === "damaged" ? state.damage : null };
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      await removeEmptyParents(dirname(target.dest), target.enginesDir, route.parentLevels);
      throw error;
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  } finally {
    await release();
  }
}

/**
 * Extracts in one pass over the bytes: the verifier reads them as they arrive (hashing, checking and
 * writing them into `temp`); a download also appends them to its partial file for resuming. A resumed
 * download whose sha256 does not match, or a server that cannot continue, starts once more from zero
 * before the failure is reported.
 */
async function fetchAndExtract<E>(target: InstallTarget, temp: string, extract: ExtractFn<E>, deps: InstallDeps, tuning: DownloadTuning): Promise<E> {
  const s = target.source;
  for (let pass = 1; ; pass++) {
    const bytes = await openPackageBytes(target, deps, tuning);
    deps.reporter?.step?.(s.kind === "file" ? "verify and extract" : "download, verify and extract", s.kind === "file" ? target.filename : s.url);
    try {
      // A download reports its own progress; a local file's is the verifier's.
      // A signed local file (import with trust) is hashed against its signed sha256 in the same pass.
      const signedSha = s.kind === "file" && s.signed ? { expectedSha256: s.signed.sha256 } : {};
      const options = s.kind === "file" ? { expectedFilename: target.filename, ...signedSha, ...(deps.reporter ? { reporter: deps.reporter } : {}) } : { expectedFilename: target.filename, expectedSha256: s.sha256 };
      const extracted = await extract(bytes.source, temp, options);
      await bytes.discard();
      return extracted;
    } catch (error) {
      if (pass === 1 && s.kind === "download" && (error instanceof RestartFromZero || (error instanceof Sha256MismatchError && bytes.resumed))) {
        const why = error instanceof Sha256MismatchError ? `${s.url}: the resumed download's sha256 is ${error.actual}, not the index's` : error.message;
        deps.reporter?.log?.("warn", `${why}; downloading again from zero`);
        await bytes.discard();
        continue;
      }
      throw await failure(error, target, bytes);
    }
  }
}

/** The error a failed pass ends with; a download's partial file is kept only for a transient failure. */
async function failure(error: unknown, target: InstallTarget, bytes: PackageBytes): Promise<unknown> {
  if (error instanceof DownloadError && error.transient) return error;
  await bytes.discard();
  const s = target.source;
  if (s.signed) {
    // Bytes other than the signed ones: the registry's metadata refuses them, naming the targets role.
    const what = s.kind === "download" ? `the ${s.size} bytes received have` : `${target.filename} has`;
    if (error instanceof Sha256MismatchError) return trustRefusal("targets", "hash-or-length", `${s.signed.path}: ${what} sha256 ${error.actual} (signed: ${s.signed.size} bytes, sha256 ${s.signed.sha256})`);
    if (error instanceof DownloadTooLong) return trustRefusal("targets", "hash-or-length", `${s.signed.path}: the server sent more than the ${error.limit} bytes the registry signed (sha256 ${s.signed.sha256})`);
  }
  if (error instanceof Sha256MismatchError && s.kind === "download") return new HashMismatchError(s.url, target.filename, s.size, error.expected, error.actual);
  if (error instanceof PackageRejectedError) return PackageRefusedError.from(target.filename, error.findings);
  return error;
}

/** Leaves no empty folders between `dir` and `enginesDir` (exclusive) behind a refused install (or a removal). */
export async function removeEmptyParents(dir: string, enginesDir: string, levels: number): Promise<void> {
  for (let k = 0; k < levels && dir !== enginesDir; k++, dir = dirname(dir)) {
    await rmdir(dir).catch(() => {});
  }
}
