import { join } from "node:path";
import type { EntryRequirements, Reporter } from "@baiengine/schema";
import type { HostFacts } from "../resolve/host-facts.js";
import type { PackageVerifier } from "../verifier-port.js";
import type { HttpCredential } from "../http/credentials.js";

/**
 * What every install plan has, engine package or runtime pack, decided before anything is touched:
 * pure data (printed by `--dry-run`), no effects in this file.
 */

/** Where the package bytes come from. */
export type InstallSource =
  | { kind: "file"; path: string; signed?: SignedFile }
  | { kind: "download"; url: string; size: number; sha256: string; requirements?: EntryRequirements; signed?: SignedFile; /** The index's `installedSize`: what extraction writes at most (disk-space check). */ installedSize?: number };

/**
 * The registry's signed target for the file (TUF, when trust is configured): its target path,
 * length and sha256, which the install's one pass over the bytes enforces; a mismatch is then a
 * trust refusal naming the targets role.
 */
export interface SignedFile {
  path: string;
  size: number;
  sha256: string;
}

/** One file, one destination folder, one lock, one partial download. */
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
  /** This machine's facts, for requirement checks, when the caller already has them; else detected once, when needed. */
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
