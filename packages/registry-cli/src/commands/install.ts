import { resolve as resolvePath } from "node:path";
import { join } from "node:path";
import { type Rendered, UsageError } from "@baiengine/cli-kit";
import { expandHome } from "@baiengine/cli-kit/system";
import { credentialFrom } from "../http/credentials.js";
import type { Reporter } from "@baiengine/schema";
import { requirePath } from "../cli/require-path.js";
import { defaultEnginesDir } from "../install/engines-dir.js";
import { describeInstallPlan } from "../install/install-plan.js";
import { type InstallAsk, planInstallRequest } from "../install/install-request.js";
import { applyInstall, type InstallResult } from "../install/install-package.js";
import { applyRuntimeInstall, type RuntimeInstallResult } from "../install/install-runtime.js";
import { describeRuntimePlan } from "../install/runtime-plan.js";
import { packageVerifier } from "../verifier-port.js";
import { yankedWarnings } from "../resolve/resolve-package.js";
import { indexOptions } from "../index-source/index-options.js";

export interface InstallOptions extends Omit<InstallAsk, "file"> {
  enginesDir?: string;
  trust?: string;
  retries?: number;
  timeout?: number;
  /** The longest Retry-After honoured, seconds. */
  maxRetryWait?: number;
  /** A token for a private mirror (else BAIENGINE_AUTH_TOKEN). */
  authToken?: string;
  dryRun?: boolean;
  /** `--json`: the reporter is silent, so warnings go into the rendered result. */
  json?: boolean;
}

export function runtimeInstallLine(r: RuntimeInstallResult): string {
  return `${r.alreadyInstalled ? "already installed" : "installed"}: runtime ${r.runtimeId} ${r.version} ${r.platform} -> ${r.dir}${r.repaired ? ` (replacing a damaged copy: ${r.repaired})` : ""}`;
}

function installLines(result: InstallResult, savedAs?: string): string[] {
  const lines = [`${result.alreadyInstalled ? "already installed" : "installed"}: ${result.engineId} ${result.version} -> ${result.dir}${result.forcedRequirements ? ` (forced: ${result.forcedRequirements.join("; ")})` : ""}`];
  if (savedAs) lines.push(`  from ${JSON.stringify(savedAs)}, installed under the name its manifest gives (the suffix is a browser's, for a second download)`);
  if (result.runtime) {
    const { links, install } = result.runtime;
    if (install) lines.push(`  ${runtimeInstallLine(install)}`);
    lines.push(`  runtime: ${result.runtime.id} ${result.runtime.version} (${links.linked} hard-linked, ${links.copied} copied into ${join(result.dir, links.folder)})`);
  }
  if (result.devices) lines.push(result.devices.ran ? `  device: ${result.devices.device}` : `  device probe skipped: ${result.devices.reason}`);
  if (result.activation) lines.push(`  active: ${result.activation.reason}`);
  return lines;
}

function checkAsk(file: string | undefined, opts: InstallOptions): void {
  if ([file, opts.engine, opts.runtime].filter((x) => x !== undefined).length !== 1) {
    throw new UsageError("install needs exactly one of --engine <id>, --runtime <id> or a <file.baiengine|file.bairuntime>");
  }
  if (opts.runtime !== undefined && (opts.accel !== undefined || opts.prerelease || opts.channel !== undefined)) {
    throw new UsageError(`${opts.accel !== undefined ? "--accel" : opts.prerelease ? "--prerelease" : "--channel"} chooses an engine package; a runtime pack has one latest version per --os/--arch`, `drop it: install --runtime ${opts.runtime} [--os <os> --arch <arch>]`);
  }
}

/** `install`: plans (and without `dryRun` applies) an engine or runtime install into the engines folder. */
export async function installCommand(file: string | undefined, opts: InstallOptions, reporter: Reporter): Promise<Rendered> {
  checkAsk(file, opts);
  if (file !== undefined) await requirePath(file, "file", "the package file");
  const enginesDir = resolvePath(opts.enginesDir === undefined ? defaultEnginesDir() : expandHome(opts.enginesDir, "--engines-dir"));
  const loadWarnings: string[] = [];
  const request = await planInstallRequest({ ...opts, ...(file !== undefined ? { file } : {}) }, enginesDir, indexOptions({ ...opts, enginesDir }, loadWarnings));
  const warnings = [...request.skipped, ...loadWarnings];
  // A yanked version is said before anything is fetched (and in a dry run), not after the download.
  const yanked = request.kind === "engine" && request.resolution ? yankedWarnings(request.resolution) : [];
  if (opts.dryRun) return { json: request.plan, lines: request.kind === "engine" ? describeInstallPlan(request.plan) : describeRuntimePlan(request.plan), warnings: [...warnings, ...yanked] };
  if (opts.json) warnings.push(...yanked);
  else for (const line of yanked) reporter.log?.("warn", line);
  const deps = { verifier: packageVerifier, reporter };
  const credential = credentialFrom(opts.authToken);
  const tuning = {
    ...(opts.retries ? { retries: opts.retries } : {}),
    ...(opts.timeout ? { timeoutMs: opts.timeout * 1000 } : {}),
    ...(opts.maxRetryWait !== undefined ? { maxRetryWaitMs: opts.maxRetryWait * 1000 } : {}),
    ...(credential ? { credential } : {}),
  };
  if (request.kind === "runtime") {
    const result = await applyRuntimeInstall(request.plan, deps, tuning);
    return { json: result, lines: [runtimeInstallLine(result)], warnings };
  }
  const resolution = request.resolution;
  const result = await applyInstall(request.plan, deps, tuning);
  return { json: { ...result, ...(resolution ? { url: resolution.url, reasons: resolution.reasons } : {}) }, lines: installLines(result, request.kind === "engine" ? request.plan.savedAs : undefined), warnings };
}
