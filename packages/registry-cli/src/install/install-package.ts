import { mkdir, rm, rmdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Manifest, Registry, Reporter } from "@baiengine/schema";
import { DownloadError, InstallRefusedError } from "../errors.js";
import { lockPath } from "../lock/path-lock.js";
import { detectHostFacts, type HostFacts } from "../resolve/host-facts.js";
import { type PackageRequirements, unmetRequirements } from "../resolve/requirements-check.js";
import type { Resolution } from "../resolve/resolve-package.js";
import { describeFinding as formatFinding, errorFindings } from "@baiengine/verifier";
import type { ExtractedPackage, Finding, PackageVerifier } from "../verifier-port.js";
import { PackageDownload, RestartFromZero } from "./download.js";
import { type InstallPlan, planFileInstall, planResolvedInstall } from "./install-plan.js";
import { checkDevices, type DeviceCheck } from "./device-check.js";
import { installingPath, placeInstall, recoverInterrupted } from "./place-install.js";

export interface InstallResult {
  engineId: string;
  version: string;
  dir: string;
  file: string;
  sha256: string;
  size: number;
  files: number;
  /** True when that platform was already installed and --force was not given (nothing was downloaded or extracted). */
  alreadyInstalled: boolean;
  /** Requirements the host does not meet, installed anyway because of --force. */
  forcedRequirements?: string[];
  /** The device probe's finding (the device of the package's kind it listed), or why it did not run. */
  devices?: DeviceCheck;
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
}

/** How long a second install of the same platform waits for the first (a slow download), ms. */
const INSTALL_LOCK_TIMEOUT_MS = 60 * 60_000;

const exists = (path: string) => stat(path).then(() => true, () => false);

function rejectedMessage(file: string, error: unknown): InstallRefusedError {
  const findings = (error as { findings?: Finding[] }).findings;
  const detail = findings ? errorFindings(findings).map(formatFinding).join("; ") : (error as Error).message;
  return new InstallRefusedError(`${file} was rejected: ${detail}`, "nothing was installed; use a package that passes verify-engine");
}

/**
 * Carries out an install plan: takes the platform's install lock (a second install of the same
 * platform waits, saying so, then finds it installed), recovers what a killed install left, then
 * downloads and extracts in one pass (or extracts a local file), checks requirements, and renames the
 * verified folder into place (`placeInstall`: never no installed copy). Throws InstallRefusedError or
 * DownloadError (exit 1); nothing is installed then.
 */
export async function applyInstall(plan: InstallPlan, deps: InstallDeps, tuning: DownloadTuning = {}): Promise<InstallResult> {
  const reporter = deps.reporter ?? {};
  await mkdir(dirname(plan.lock), { recursive: true });
  const release = await lockPath(plan.lock, {
    timeoutMs: INSTALL_LOCK_TIMEOUT_MS,
    onWait: (holder) => reporter.log?.("info", `waiting for another install of ${plan.filename}: ${holder}`),
    timedOut: (holder, lock, staleMs) =>
      new InstallRefusedError(`another install of ${plan.filename} (${holder}) did not finish within ${INSTALL_LOCK_TIMEOUT_MS / 60_000} minutes`, `if it is gone, its lock ${lock} is taken over after ${staleMs / 1000}s`),
  });
  try {
    for (const line of await recoverInterrupted(plan.dest)) reporter.log?.("warn", line);
    const known = plan.source.kind === "download" ? { sha256: plan.source.sha256, size: plan.source.size } : { sha256: "", size: 0 };
    const base = { engineId: plan.engineId, version: plan.version, dir: plan.dest, file: plan.source.kind === "file" ? plan.source.path : plan.source.url, ...known, files: 0 };
    if (!plan.force && (await exists(plan.dest))) return { ...base, alreadyInstalled: true };
    const forced: string[] = [];
    if (plan.source.kind === "download") forced.push(...(await checkRequirements(plan, plan.source.requirements, plan.source.url, deps)));
    await mkdir(dirname(plan.dest), { recursive: true });
    const temp = installingPath(plan.dest);
    try {
      const extracted = plan.source.kind === "file" ? await extractFile(plan, plan.source.path, temp, deps) : await downloadAndExtract(plan, temp, deps, tuning);
      checkManifestNames(plan, extracted.manifest);
      forced.push(...(await checkRequirements(plan, extracted.manifest.requirements, extracted.manifest, deps)));
      // A GPU package is activated only when its server lists a device of its kind (refused otherwise).
      deps.reporter?.step?.("device probe", plan.filename);
      const devices = await checkDevices(join(temp, "package"), extracted.manifest);
      await placeInstall(join(temp, "package"), plan.dest, plan.force);
      const result = { ...base, sha256: extracted.sha256, size: extracted.size, files: extracted.files.length, alreadyInstalled: false, devices };
      return forced.length > 0 ? { ...result, forcedRequirements: [...new Set(forced)] } : result;
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      await removeIfEmpty(dirname(plan.dest), plan.enginesDir);
      throw error;
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  } finally {
    await release();
  }
}

/**
 * Refuses a package whose requirements this host does not meet (one line naming each requirement and
 * the host's value), unless the plan is forced; then returns them. Only for packages of this host's
 * os/arch: a package installed for another machine is not judged by this one.
 */
async function checkRequirements(plan: InstallPlan, req: PackageRequirements | undefined, target: string | Manifest, deps: InstallDeps): Promise<string[]> {
  if (!req || Object.keys(req).length === 0) return [];
  deps.host ??= await detectHostFacts();
  const host = deps.host;
  const [os, arch] = plan.platform.split("-");
  if (host.os !== os || host.arch !== arch) return [];
  const unmet = unmetRequirements(req, host.os, host).map((u) => u.message);
  if (unmet.length === 0) return [];
  if (!plan.force) {
    const from = typeof target === "string" ? "the index" : "its manifest";
    throw new InstallRefusedError(`${plan.filename} ${unmet.join("; ")} (from ${from})`, "install a package this host can run (`resolve` explains the choice), update the system, or pass --force to install it anyway");
  }
  for (const line of unmet) deps.reporter?.log?.("warn", `${plan.filename} ${line}; installing anyway (--force)`);
  return unmet;
}

function checkManifestNames(plan: InstallPlan, manifest: Manifest): void {
  // The verifier already compared the manifest with the file name; this guards the folder layout.
  if (manifest.engineId !== plan.engineId || manifest.version !== plan.version) {
    throw new InstallRefusedError(`${plan.filename}: its manifest names another engine or version than its file name`, "nothing was installed");
  }
}

async function extractFile(plan: InstallPlan, file: string, temp: string, deps: InstallDeps): Promise<ExtractedPackage> {
  deps.reporter?.step?.("verify and extract", plan.filename);
  try {
    return await deps.verifier.extract(file, temp, { expectedFilename: plan.filename, ...(deps.reporter ? { reporter: deps.reporter } : {}) });
  } catch (error) {
    throw rejectedMessage(plan.filename, error);
  }
}

/** The sha256 the verifier computed, when its only quarrel with the bytes is that they are not the published ones. */
function mismatchedSha256(error: unknown): string | null {
  const findings = (error as { findings?: Finding[] }).findings ?? [];
  const finding = findings.find((f) => f.code === "SHA256_MISMATCH");
  return finding ? (/sha256 is ([0-9a-f]{64})/.exec(finding.message)?.[1] ?? "(unknown)") : null;
}

/**
 * Downloads and extracts in one pass: the verifier reads the bytes as they arrive (hashing, checking
 * and writing them into `temp`) while the download appends them to the partial file for resuming.
 * A resumed download whose sha256 does not match, or a server that cannot continue, starts once more
 * from zero before the mismatch is reported.
 */
async function downloadAndExtract(plan: InstallPlan, temp: string, deps: InstallDeps, tuning: DownloadTuning): Promise<ExtractedPackage> {
  const source = plan.source as Extract<InstallPlan["source"], { kind: "download" }>;
  for (let pass = 1; ; pass++) {
    const download = new PackageDownload({
      url: source.url,
      part: plan.part!,
      expectedSize: source.size,
      expectedSha256: source.sha256,
      ...tuning,
      ...(deps.reporter ? { reporter: deps.reporter } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    deps.reporter?.step?.("download, verify and extract", source.url);
    try {
      const extracted = await deps.verifier.extract({ name: plan.filename, size: source.size, chunks: download.chunks() }, temp, { expectedSha256: source.sha256, expectedFilename: plan.filename });
      await download.discard();
      return extracted;
    } catch (error) {
      const actual = mismatchedSha256(error);
      if (pass === 1 && (error instanceof RestartFromZero || (actual !== null && download.resumed))) {
        deps.reporter?.log?.("warn", `${source.url}: ${actual !== null ? `the resumed download's sha256 is ${actual}, not the index's` : error instanceof Error ? error.message : String(error)}; downloading again from zero`);
        await download.discard();
        continue;
      }
      if (actual !== null) {
        await download.discard();
        throw new DownloadError(
          `${source.url}: the ${source.size} bytes received have sha256 ${actual}, the index lists ${source.sha256} for ${plan.filename}`,
          "the file at that URL is not the one the index lists (re-uploaded under the same name, or an out-of-date mirror); nothing was installed",
        );
      }
      if (error instanceof DownloadError) {
        if (!error.transient) await download.discard();
        throw error;
      }
      await download.discard();
      throw rejectedMessage(plan.filename, error);
    }
  }
}

async function removeIfEmpty(versionDir: string, enginesDir: string): Promise<void> {
  // Leaves no empty <id>/<version> folders behind a refused install.
  for (const dir of [versionDir, dirname(versionDir)]) {
    if (dir === enginesDir) return;
    await rmdir(dir).catch(() => {});
  }
}

/** Installs a local package file (plan + apply). */
export function installFile(file: string, enginesDir: string, deps: InstallDeps, options: { force?: boolean } = {}): Promise<InstallResult> {
  return applyInstall(planFileInstall(file, enginesDir, options), deps);
}

/** Installs a resolved registry package (plan + apply): downloaded, verified and extracted in one pass. */
export function installResolved(resolution: Resolution, enginesDir: string, deps: InstallDeps, options: { force?: boolean } & DownloadTuning = {}): Promise<InstallResult> {
  const { force, ...tuning } = options;
  return applyInstall(planResolvedInstall(resolution, enginesDir, force ? { force } : {}), deps, tuning);
}

/** A registry whose baseUrl points at a local folder of `{tag}/{filename}` (offline mirrors, tests). */
export function fileBaseUrl(folder: string): string {
  return pathToFileURL(folder).href.replace(/\/$/, "");
}

export type { Registry };
