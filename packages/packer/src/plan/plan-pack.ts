import { checkTools } from "./check-tools.js";
import type { PackFacts } from "./facts.js";
import { planBuildFolder } from "./plan-build-folder.js";
import { planCollect } from "./plan-collect.js";
import { planCommands } from "./plan-commands.js";
import { planDefines } from "./plan-defines.js";
import { planManifest } from "./plan-manifest.js";
import { planOutputs } from "./plan-outputs.js";
import { planSource } from "./plan-source.js";
import { planTarget } from "./plan-target.js";
import type { PackOptions, PackPlan } from "./plan-types.js";
import { Refusals } from "./refusals.js";
import { runtimeForToken } from "@baiengine/profiles";
import type { PackTarget } from "./plan-target.js";

export { MIN_APP_VERSION } from "./plan-manifest.js";

export interface PlanContext {
  facts: PackFacts;
  /** Dry runs record what would stop a real pack in `blockers` instead of throwing. */
  dryRun?: boolean;
}

/**
 * The named pure steps of `planPack`, in the order it takes them: target, tools, source, defines,
 * outputs, build folder, commands. Each result is the next step's input; tests read one step's output
 * here instead of calling the steps in their own order.
 */
export function planSteps(options: PackOptions, context: PlanContext) {
  const { facts } = context;
  const refusals = new Refusals(context.dryRun ?? false);
  const target = planTarget(options, facts, refusals);
  checkTools(target, facts, refusals);
  const source = planSource(options, facts, target.engine, refusals);
  const build = planDefines(options, facts, target, source);
  const outputs = planOutputs(options, facts, target, source.version);
  const folder = planBuildFolder(facts, target, source, build);
  const sourceArg = source.dir ?? `<${target.engine.id} source>`;
  const commands = planCommands(options, facts, target, sourceArg, build, folder, source.mtime);
  return { facts, refusals, target, source, build, outputs, folder, sourceArg, commands };
}

/** The runtime pack of the target's token on its OS (the engine's stand-in runtime for a stand-in token), from the runtime profiles. */
function expectedRuntimePack(target: PackTarget): PackPlan["runtimePack"] {
  const found = runtimeForToken(target.token, target.os, target.engine.id);
  return found ? { id: found.profile.id, seeds: found.platform.seeds, linkedBy: found.platform.seedsLinkedBy } : null;
}

/**
 * Decides everything a pack will do, from the options and the facts gathered about this machine,
 * in named pure steps (`planSteps`, then collect and manifest). No file is written and no process
 * is run. Throws the refusals a real pack must make before building; a dry run records toolchain
 * and source problems as blockers instead.
 */
export function planPack(options: PackOptions, context: PlanContext): PackPlan {
  const { facts, refusals, target, source, build, outputs, folder, sourceArg, commands } = planSteps(options, context);
  return {
    ...outputs,
    ...folder,
    engine: target.engine,
    accelerator: target.accelerator,
    toolchain: target.toolchain,
    target: { os: target.os, arch: target.arch, token: target.token, accelerator: target.family },
    version: source.version,
    versionFrom: source.versionFrom,
    source: { dir: source.dir, clone: source.clone, npm: source.npm, commit: source.facts?.commit ?? null },
    mtime: source.mtime,
    mtimeFrom: source.mtimeFrom,
    defines: commands.defines,
    extraCmakeArgs: build.extra,
    generator: build.generator,
    configure: commands.configure,
    build: commands.build,
    collect: planCollect(options, facts, target, folder.buildDir, sourceArg, source.mtime),
    runtimePack: expectedRuntimePack(target),
    manifest: planManifest(facts, target, source, build, commands.defines),
    blockers: refusals.blockers,
  };
}
