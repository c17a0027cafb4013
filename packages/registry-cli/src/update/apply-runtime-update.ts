import type { Reporter } from "@baiengine/schema";
import { UpdateRefusedError } from "../errors.js";
import type { LockOptions } from "../index-file/index-lock.js";
import { modifyIndex } from "../index-file/modify-index.js";
import { readIndex } from "../index-file/read-index.js";
import { packageVerifier, type PackageVerifier } from "../verifier-port.js";
import { runtimeMetadata } from "./engine-metadata.js";
import { planRuntimeUpdate, type RuntimeUpdateChanges, type RuntimeUpdateOptions } from "./plan-runtime-update.js";
import { scanPackages } from "./scan-packages.js";

export interface ApplyRuntimeUpdateOptions extends RuntimeUpdateOptions {
  registryFile: string;
  packagesDir: string;
  dryRun?: boolean;
  concurrency?: number;
  lock?: LockOptions;
}

/**
 * `update --runtime`: verifies this version's `.bairuntime` packs in the folder, then records them in
 * `runtimes[]` with the same locked, atomic, lossless write as engine updates. Refusals throw
 * UpdateRefusedError with the index untouched.
 */
export async function applyRuntimeUpdate(
  options: ApplyRuntimeUpdateOptions,
  deps: { verifier?: PackageVerifier; reporter?: Reporter; now?: () => Date } = {},
): Promise<{ changes: RuntimeUpdateChanges; written: boolean; dryRun: boolean }> {
  const first = await readIndex(options.registryFile, { allowPlaceholders: true });
  const verifier = deps.verifier ?? packageVerifier;
  deps.reporter?.step?.("verify", options.packagesDir);
  const scan = await scanPackages(options.packagesDir, { kind: "runtime", runtimeId: options.runtimeId }, options.version, verifier, {
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(deps.reporter ? { reporter: deps.reporter } : {}),
  });
  const metadata = runtimeMetadata(options.runtimeId);
  const now = (deps.now ?? (() => new Date()))();
  const plan = (registry: Parameters<typeof planRuntimeUpdate>[0]) => {
    const result = planRuntimeUpdate(registry, scan, options, { metadata, now });
    if (!result.ok) throw new UpdateRefusedError(result.refusal.reason, result.refusal.hint, result.refusal.details);
    return result;
  };
  const planned = plan(first.registry);
  if (options.dryRun) return { changes: planned.changes, written: false, dryRun: true };
  const { written, value } = await modifyIndex(
    options.registryFile,
    (index) => {
      const result = plan(index.registry);
      return { registry: result.changes.changed ? result.registry : null, value: result.changes };
    },
    { ...options.lock, ...(deps.reporter ? { reporter: deps.reporter } : {}), allowPlaceholders: true },
  );
  return { changes: value, written, dryRun: false };
}
