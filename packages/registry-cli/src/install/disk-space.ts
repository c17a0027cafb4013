import { stat, statfs } from "node:fs/promises";
import { dirname } from "node:path";
import { InstallRefusedError } from "../errors.js";
import type { InstallPlan } from "./install-plan.js";
import type { InstallTarget } from "./install-target.js";
import { readRuntimeStore } from "./runtime-store.js";

/** One thing an install writes: what it is and how many bytes it needs. */
export interface SpaceNeed {
  what: string;
  bytes: number;
}

/** An install that does not fit: refused before any byte is fetched. Facts as fields. */
export class NotEnoughSpaceError extends InstallRefusedError {
  constructor(
    readonly dir: string,
    readonly needed: number,
    readonly available: number,
    readonly needs: SpaceNeed[],
  ) {
    super(
      `not enough free space in ${dir}: the install needs ${formatBytes(needed)} (${needs.map((n) => `${n.what} ${formatBytes(n.bytes)}`).join(" + ")}), ${formatBytes(available)} are free`,
      "nothing was downloaded; free space there (engine-registry prune removes older versions), or pick another --engines-dir",
    );
  }
}

export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/** The bytes an unprivileged process may still write on the file system holding `path` (its nearest existing folder). */
export async function freeBytes(path: string): Promise<{ dir: string; available: number }> {
  let dir = path;
  for (;;) {
    const s = await statfs(dir).catch((error: NodeJS.ErrnoException) => (error.code === "ENOENT" || error.code === "ENOTDIR" ? null : Promise.reject(error)));
    if (s) return { dir, available: Number(s.bavail) * Number(s.bsize) };
    const up = dirname(dir);
    if (up === dir) throw new Error(`no existing folder above ${path}`);
    dir = up;
  }
}

/**
 * What a package needs on disk: its download (less what a partial file already holds) and its
 * extraction: the index's `installedSize` when it has one, else the package's own size (a lower
 * bound: extraction never writes less than the compressed bytes of a real package).
 */
export async function packageNeeds(target: Pick<InstallTarget, "filename" | "source" | "part">): Promise<SpaceNeed[]> {
  const s = target.source;
  if (s.kind === "file") return [{ what: `${target.filename} extracted`, bytes: await stat(s.path).then((f) => f.size, () => 0) }];
  const have = target.part === null ? 0 : await stat(target.part).then((f) => f.size, () => 0);
  return [
    { what: `${target.filename} download`, bytes: Math.max(0, s.size - have) },
    { what: `${target.filename} extracted`, bytes: s.installedSize ?? s.size },
  ];
}

/** What an engine install plan needs on disk: its runtime pack when that store is not installed whole, then the package. */
export async function installNeeds(plan: InstallPlan): Promise<SpaceNeed[]> {
  const r = plan.runtime;
  const runtime = r && !(await readRuntimeStore(r.dest, r).then((st) => st.ok)) ? await packageNeeds(r) : [];
  return [...runtime, ...(await packageNeeds(plan))];
}

/** Throws NotEnoughSpaceError when `needs` do not fit in the free space of the file system holding `enginesDir`. */
export async function checkDiskSpace(enginesDir: string, needs: SpaceNeed[]): Promise<void> {
  const needed = needs.reduce((sum, n) => sum + n.bytes, 0);
  const { dir, available } = await freeBytes(enginesDir);
  if (needed > available) throw new NotEnoughSpaceError(dir === enginesDir ? dir : `${enginesDir} (on ${dir})`, needed, available, needs.filter((n) => n.bytes > 0));
}
