import { chmod, copyFile, cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { type Reporter, type RuntimeManifest, silentReporter } from "@baiengine/schema";
import { stagingEntries, writeReproducibleArchive } from "../archive/index.js";
import { RuntimePackRefusedError } from "../errors.js";
import { verifyAndPlace } from "../place-verified.js";
import { gatherRuntimeFacts } from "./gather-runtime-facts.js";
import { planRuntimePack } from "./plan-runtime-pack.js";
import type { RuntimeFacts, RuntimePackOptions, RuntimePackPlan } from "./runtime-types.js";

export interface RuntimePackResult {
  file: string;
  sha256: string;
  size: number;
  manifest: RuntimeManifest;
  plan: RuntimePackPlan;
}

export interface RuntimePackDeps {
  reporter?: Reporter;
  signal?: AbortSignal;
  /** Facts gathered beforehand (tests); probed when absent. */
  facts?: RuntimeFacts;
}

/** Plans without packing: the toolkit is probed, refusals are listed as blockers. */
export async function planRuntimePackHere(options: RuntimePackOptions): Promise<RuntimePackPlan> {
  return planRuntimePack(options, await gatherRuntimeFacts(options));
}

/** Lays the pack out under `stageDir` (the archive's package/): libraries byte for byte, data folders, licences, manifest. */
async function stageRuntime(stageDir: string, plan: RuntimePackPlan, manifest: RuntimeManifest): Promise<void> {
  for (const file of plan.files) {
    const dest = path.join(stageDir, file.to);
    await mkdir(path.dirname(dest), { recursive: true });
    await copyFile(file.from, dest);
    await chmod(dest, 0o644);
  }
  for (const dir of plan.dataDirs) await cp(dir.from, path.join(stageDir, dir.to), { recursive: true, dereference: true });
  for (const licence of plan.licenses) {
    await mkdir(path.dirname(path.join(stageDir, licence.to)), { recursive: true });
    await copyFile(licence.from, path.join(stageDir, licence.to));
  }
  await writeFile(path.join(stageDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Packs the installed toolkit's redistributable GPU runtime as a `.bairuntime`: stages the planned
 * files, writes the reproducible archive under a temporary name, verifies it with the verifier, then
 * renames it into place and writes `<file>.sha256`. Throws RuntimePackRefusedError (exit 1) with the
 * plan's first blocker, PackageVerificationError when the result fails verification.
 */
export async function packRuntime(options: RuntimePackOptions, deps: RuntimePackDeps = {}): Promise<RuntimePackResult> {
  const reporter = deps.reporter ?? silentReporter;
  const facts = deps.facts ?? (await gatherRuntimeFacts(options));
  const plan = planRuntimePack(options, facts);
  const { manifest, outFile, tempFile, checksumFile } = plan;
  if (plan.blockers.length > 0 || !manifest || !outFile || !tempFile || !checksumFile) {
    const more = plan.blockers.length > 1 ? ` (and ${plan.blockers.length - 1} more: see --dry-run)` : "";
    throw new RuntimePackRefusedError(`cannot pack ${plan.runtimeId}: ${plan.blockers[0] ?? "no manifest"}${more}`, "run pack-runtime with --dry-run to see the plan; --toolkit <dir> names the toolkit");
  }
  await mkdir(plan.outDir, { recursive: true });
  const stageDir = await mkdtemp(path.join(plan.outDir, `.${plan.runtimeId}-stage-`));
  try {
    reporter.step?.("stage", `${plan.files.length} libraries`);
    await stageRuntime(stageDir, plan, manifest);
    const archive = await writeReproducibleArchive(await stagingEntries(stageDir), tempFile, {
      mtime: new Date((plan.mtime ?? 0) * 1000),
      reporter,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    await verifyAndPlace({
      tempFile,
      outFile,
      checksumFile,
      sha256: archive.sha256,
      what: "the runtime pack",
      hint: `nothing was written to ${outFile}; check the runtime profile and the toolkit`,
      reporter,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    return { file: outFile, sha256: archive.sha256, size: archive.size, manifest, plan };
  } finally {
    await rm(stageDir, { recursive: true, force: true });
    await rm(tempFile, { force: true });
  }
}
