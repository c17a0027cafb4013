import { type Rendered, UsageError } from "@baiengine/cli-kit";
import type { Reporter } from "@baiengine/schema";
import { requirePath } from "../cli/require-path.js";
import { applyRuntimeUpdate } from "../update/apply-runtime-update.js";
import { applyUpdate } from "../update/apply-update.js";
import { changeLines, renameLines, runtimeChangeLines } from "./render-changes.js";

export interface UpdateOptions {
  registry: string;
  engine?: string;
  runtime?: string;
  version: string;
  packagesDir: string;
  prerelease?: boolean;
  channel?: string;
  allowDowngrade?: boolean;
  name?: string;
  description?: string;
  dryRun?: boolean;
  jobs?: number;
}

/** `update`: records a version's engine packages, or with `runtime` a runtime's packs, in the index. */
export async function updateCommand(opts: UpdateOptions, reporter: Reporter): Promise<Rendered> {
  if ((opts.engine === undefined) === (opts.runtime === undefined)) throw new UsageError("update needs exactly one of --engine <id> and --runtime <id>");
  if (opts.runtime !== undefined && (opts.prerelease || opts.channel !== undefined)) throw new UsageError(`${opts.prerelease ? "--prerelease" : "--channel"} is for engines; runtimes have one latestVersion`);
  if (opts.prerelease && opts.channel !== undefined) throw new UsageError("--prerelease is --channel prerelease: pass one of them");
  await requirePath(opts.packagesDir, "folder", "--packages-dir");
  const common = {
    registryFile: opts.registry,
    packagesDir: opts.packagesDir,
    version: opts.version,
    allowDowngrade: Boolean(opts.allowDowngrade),
    dryRun: Boolean(opts.dryRun),
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.description !== undefined ? { description: opts.description } : {}),
    ...(opts.jobs ? { concurrency: opts.jobs } : {}),
  };
  if (opts.runtime !== undefined) {
    const result = await applyRuntimeUpdate({ ...common, runtimeId: opts.runtime }, { reporter });
    return { json: result, lines: runtimeChangeLines(result.changes, result.written, result.dryRun) };
  }
  const result = await applyUpdate({ ...common, engineId: opts.engine as string, prerelease: Boolean(opts.prerelease), ...(opts.channel !== undefined ? { channel: opts.channel } : {}) }, { reporter });
  return { json: result, lines: [...renameLines(result.renames, result.dryRun), ...changeLines(result.changes, result.written, result.dryRun)] };
}
