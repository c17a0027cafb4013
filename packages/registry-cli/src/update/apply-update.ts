import type { Reporter } from "@baiengine/schema";
import { UpdateRefusedError } from "../errors.js";
import type { LockOptions } from "../index-file/index-lock.js";
import { modifyIndex } from "../index-file/modify-index.js";
import { type LoadedIndex, readIndex } from "../index-file/read-index.js";
import { packageVerifier, type PackageVerifier } from "../verifier-port.js";
import { type EngineMetadata, engineMetadata } from "./engine-metadata.js";
import { applyRenames, indexNameStyle, type PackageRename, planRenames, renamedScan } from "./name-style.js";
import { type UpdateChanges, type UpdateOptions, planUpdate } from "./plan-update.js";
import { scanPackages } from "./scan-packages.js";

export interface ApplyUpdateOptions extends UpdateOptions {
  registryFile: string;
  packagesDir: string;
  dryRun?: boolean;
  concurrency?: number;
  lock?: LockOptions;
}

export interface UpdateResult {
  changes: UpdateChanges;
  /** Packages renamed to the spelling the index uses (planned only, on --dry-run). */
  renames: PackageRename[];
  /** Whether engines.json was rewritten (false on --dry-run and when nothing changed). */
  written: boolean;
  dryRun: boolean;
}

/**
 * `update`: verifies the folder's packages (before taking the lock: that is the slow part), then
 * under the lock re-reads the index, plans and writes. Any refusal throws UpdateRefusedError with the
 * index untouched.
 */
export async function applyUpdate(
  options: ApplyUpdateOptions,
  deps: { verifier?: PackageVerifier; metadata?: (id: string) => EngineMetadata | null; reporter?: Reporter; now?: () => Date } = {},
): Promise<UpdateResult> {
  // An invalid index is refused before any package is read; planned packages (placeholders) are not faults here.
  const first = await readIndex(options.registryFile, { allowPlaceholders: true });
  const verifier = deps.verifier ?? packageVerifier;
  deps.reporter?.step?.("verify", options.packagesDir);
  const scan = await scanPackages(options.packagesDir, options.engineId, options.version, verifier, {
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(deps.reporter ? { reporter: deps.reporter } : {}),
  });
  const metadata = options.name !== undefined ? null : (deps.metadata ?? engineMetadata)(options.engineId);
  const now = (deps.now ?? (() => new Date()))();
  const renames = planRenames(scan.packages, indexNameStyle(first.registry));
  const named = renamedScan(scan, renames);
  const plan = (index: LoadedIndex) => {
    const result = planUpdate(index.registry, named, options, { metadata, now, placeholders: index.placeholders });
    if (!result.ok) throw new UpdateRefusedError(result.refusal.reason, result.refusal.hint, result.refusal.details);
    return result;
  };
  // Planned before anything is renamed: a refused update leaves the folder as it was too.
  const planned = plan(first);
  if (options.dryRun) return { changes: planned.changes, renames, written: false, dryRun: true };
  await applyRenames(renames);
  const { written, value } = await modifyIndex(
    options.registryFile,
    (index) => {
      const result = plan(index);
      return { registry: result.changes.changed ? result.registry : null, value: result.changes };
    },
    { ...options.lock, ...(deps.reporter ? { reporter: deps.reporter } : {}), allowPlaceholders: true },
  );
  return { changes: value, renames, written, dryRun: false };
}
