import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { type Manifest, type Reporter, silentReporter } from "@baiengine/schema";
import { stagingEntries, writeReproducibleArchive } from "./archive/index.js";
import { withBuildFolderLock } from "./cmake/build-lock.js";
import { runLogged } from "./cmake/run-logged.js";
import { collectClosure } from "./collect/collect-closure.js";
import type { PackFacts } from "./plan/facts.js";
import { verifyAndPlace } from "./place-verified.js";
import { planPack } from "./plan/plan-pack.js";
import type { PackOptions, PackPlan } from "./plan/plan-types.js";
import { gatherFacts } from "./probe/gather-facts.js";
import { cloneSource } from "./source/clone-source.js";
import { fetchNpmSource } from "./source/fetch-npm-source.js";
import { stagePackage } from "./stage/stage-package.js";

export interface PackResult {
  file: string;
  sha256: string;
  size: number;
  manifest: Manifest;
  /** Milliseconds per phase (configure, build, collect, archive, verify, total). */
  timings: Record<string, number>;
  plan: PackPlan;
  /** Whether the build folder already held a configured build (cache reuse). */
  reusedBuild: boolean;
}

export interface PackDeps {
  reporter?: Reporter;
  signal?: AbortSignal;
  /** Facts gathered beforehand (tests, the CLI's dry run); probed when absent. */
  facts?: PackFacts;
}

/** Plans without building: the facts are probed, refusals become blockers. */
export async function planPackHere(options: PackOptions, dryRun: boolean): Promise<PackPlan> {
  return planPack(options, { facts: await gatherFacts(options), dryRun });
}

/**
 * Builds the engine with CMake, collects the relocatable closure, writes a reproducible archive
 * under a temporary name, verifies it, and only then renames it into place (plus `<file>.sha256`).
 */
export async function pack(options: PackOptions, deps: PackDeps = {}): Promise<PackResult> {
  const reporter = deps.reporter ?? silentReporter;
  const { signal } = deps;
  const timings: Record<string, number> = {};
  const started = performance.now();
  const time = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    reporter.step?.(phase);
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      timings[phase] = Math.round(performance.now() - t0);
    }
  };

  let facts = deps.facts ?? (await gatherFacts(options));
  let plan = planPack(options, { facts });
  if (plan.source.clone && plan.source.dir && !existsSync(plan.source.dir)) {
    const { repository, tag } = plan.source.clone;
    await time("clone", () => cloneSource(repository, tag, plan.source.dir!, signal));
    facts = await gatherFacts(options);
    plan = planPack(options, { facts });
  } else if (plan.source.npm && !existsSync(plan.source.npm.folder)) {
    const { spec, folder } = plan.source.npm;
    await time("fetch", () => fetchNpmSource(spec, folder, signal));
    facts = await gatherFacts(options);
    plan = planPack(options, { facts });
  }

  await mkdir(plan.buildDir, { recursive: true });
  const stageDir = path.join(plan.buildDir, "baiengine-stage");
  // The build folder is the cell's: one pack at a time configures, builds, stages and archives in it.
  return withBuildFolderLock(plan.buildDir, reporter, async () => {
    if (plan.toolchainFile) await writeFile(plan.toolchainFile.path, plan.toolchainFile.content);
    if (plan.headerFixes) {
      await mkdir(plan.headerFixes.dir, { recursive: true });
      // Rewritten only when changed: the compilers' depfiles list these headers, so a new mtime would rebuild.
      for (const fix of plan.headerFixes.files) {
        if (!existsSync(fix.path) || (await readFile(fix.path, "utf8")) !== fix.content) await writeFile(fix.path, fix.content);
      }
    }
    // Reuse the configured build folder when the configure command is unchanged.
    const stampFile = path.join(plan.buildDir, "baiengine-configure.json");
    const stamp = JSON.stringify(plan.configure.argv);
    const reusedBuild = existsSync(stampFile) && (await readFile(stampFile, "utf8")) === stamp;
    await writeFile(plan.logFile, `# ${plan.packageStem} (build folder ${plan.buildDir})\n`, { flag: "a" });
    if (!reusedBuild) {
      await rm(stampFile, { force: true });
      await time("configure", () => runLogged("configure", plan.configure, plan.logFile, reporter, signal));
      await writeFile(stampFile, stamp);
    } else {
      reporter.log?.("info", `reusing the build folder ${plan.buildDir}`);
    }
    await time("build", () => runLogged("build", plan.build, plan.logFile, reporter, signal));

    const manifest = await time("collect", async () => {
      const closure = await collectClosure(plan.collect, plan.target);
      return stagePackage(stageDir, plan.collect, closure, plan.manifest);
    });

    await mkdir(plan.outDir, { recursive: true });
    try {
      const archive = await time("archive", async () =>
        writeReproducibleArchive(await stagingEntries(stageDir), plan.tempFile, {
          mtime: new Date((plan.mtime ?? 0) * 1000),
          reporter,
          ...(signal ? { signal } : {}),
        }),
      );
      await time("verify", () =>
        verifyAndPlace({
          tempFile: plan.tempFile,
          outFile: plan.outFile,
          checksumFile: plan.checksumFile,
          sha256: archive.sha256,
          what: "the built package",
          hint: `nothing was written to ${plan.outFile}; fix the engine profile or the build (log: ${plan.logFile})`,
          reporter,
          ...(signal ? { signal } : {}),
        }),
      );
      timings["total"] = Math.round(performance.now() - started);
      return { file: plan.outFile, sha256: archive.sha256, size: archive.size, manifest, timings, plan, reusedBuild };
    } finally {
      await rm(plan.tempFile, { force: true });
    }
  });
}
