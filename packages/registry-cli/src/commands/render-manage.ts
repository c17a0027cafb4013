import { stat } from "node:fs/promises";
import { resolve as resolvePath } from "node:path";
import { UsageError } from "@baiengine/cli-kit";
import { requireHostPlatform } from "@baiengine/cli-kit/system";
import { isArch, isOs } from "@baiengine/schema";
import { defaultEnginesDir } from "../install/engines-dir.js";
import { formatBytes } from "../install/disk-space.js";
import type { ManageResult } from "../installed/manage-apply.js";

/** What `use`, `rollback`, `remove` and `prune` print: the plan's lines, the bytes freed, and what was left for later. */
export function manageLines(result: ManageResult): string[] {
  const prefix = result.dryRun ? "would " : "";
  const lines = result.lines.map((l) => (l.startsWith("remove ") || l.startsWith("keep ") ? `${prefix}${l}` : `${result.dryRun ? "would set " : ""}${l}`));
  if (result.removals.length > 0 || result.dryRun) lines.push(`${result.dryRun ? "would free" : "freed"} ${formatBytes(result.bytesFreed)} (${result.bytesFreed} bytes)`);
  if (result.removals.length === 0 && result.lines.length === 0) lines.push("nothing to do");
  for (const dir of result.keptRuntimes) lines.push(`kept runtime ${dir}: still linked (an install in progress, or a removed engine still in use)`);
  for (const dir of result.leftInTrash) lines.push(`left ${dir}: a file in it is in use; removed by the next command`);
  return lines;
}

/** The engines folder of `--engines-dir` (default: the app's); one that names a file is a usage error. It may not exist yet (nothing installed). */
export async function enginesDirOf(opts: { enginesDir?: string }): Promise<string> {
  const dir = resolvePath(opts.enginesDir ?? defaultEnginesDir());
  const info = await stat(dir).catch(() => null);
  if (info && !info.isDirectory()) throw new UsageError(`--engines-dir ${dir} is not a folder`, "pass the engines folder (it holds <engineId>/<version>/<platform>/ folders)");
  return dir;
}

/** `<os>-<arch>` of `--os/--arch`, else this machine's. */
export function osArchOf(opts: { os?: string; arch?: string }): string {
  if (opts.os === undefined && opts.arch === undefined) {
    const host = requireHostPlatform("pass --os and --arch");
    return `${host.os}-${host.arch}`;
  }
  if (opts.os === undefined || opts.arch === undefined || !isOs(opts.os) || !isArch(opts.arch)) throw new UsageError("--os and --arch go together and name a platform of the registry", "pass both (e.g. --os linux --arch x86_64), or neither for this machine");
  return `${opts.os}-${opts.arch}`;
}
