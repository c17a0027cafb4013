import { createHash } from "node:crypto";
import path from "node:path";
import { toolPath } from "./check-tools.js";
import type { PackFacts } from "./facts.js";
import type { PackDefines } from "./plan-defines.js";
import type { PackSource } from "./plan-source.js";
import type { PackTarget } from "./plan-target.js";
import type { PackPlan } from "./plan-types.js";
import { toolchainFileContent } from "./toolchain-file.js";

export type BuildFolder = Pick<PackPlan, "cacheKey" | "buildDir" | "logFile" | "toolchainFile" | "headerFixes">;

/**
 * The build folder's key: 16 hex digits of sha256 over everything that changes the build (engine,
 * source identity, defines, toolchain, target, generator, CMake target), so an unchanged pack reuses
 * its folder and a changed one never shares it.
 */
export function buildCacheKey(target: PackTarget, source: PackSource, build: PackDefines): string {
  const { engine, toolchain } = target;
  const inputs = {
    engine: engine.id,
    source: source.facts?.identity ?? source.clone ?? source.npm,
    sourceDir: source.dir,
    defines: build.defines,
    extra: build.extra,
    toolchain: [toolchain.id, toolchain.cc, toolchain.cxx],
    target: [target.os, target.arch, target.token],
    generator: build.generator,
    cmakeTarget: engine.cmakeTarget,
  };
  return createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 16);
}

/**
 * Step 5 of planPack: the build folder (`<cache>/builds/<engine>-<os>-<arch>-<token>-<key>`), its
 * log, and the files generated into it before configuring: the CMake toolchain file of a cross
 * toolchain and the toolchain's header fixes. The version is not in the name: the same source and
 * defines packed as another version reuse the build (a version that changes the build changes a
 * define, and so the key).
 */
export function planBuildFolder(facts: PackFacts, target: PackTarget, source: PackSource, build: PackDefines): BuildFolder {
  const { toolchain } = target;
  const cacheKey = buildCacheKey(target, source, build);
  const buildDir = path.join(facts.cacheDir, "builds", `${target.engine.id}-${target.os}-${target.arch}-${target.token}-${cacheKey}`);
  let toolchainFile: PackPlan["toolchainFile"] = null;
  if (toolchain.cmakeSystem && toolchain.cc && toolchain.cxx) {
    const resolve = (tool: string) => toolPath(facts, tool) ?? tool;
    const content = toolchainFileContent(toolchain, { cc: resolve(toolchain.cc), cxx: resolve(toolchain.cxx), rc: toolchain.rc ? resolve(toolchain.rc) : null });
    if (content) toolchainFile = { path: path.join(buildDir, "baiengine-toolchain.cmake"), content };
  }
  const fixes = toolchain.headerFixes ?? [];
  const dir = path.join(buildDir, "baiengine-include");
  const headerFixes = fixes.length > 0 ? { dir, files: fixes.map((f) => ({ path: path.join(dir, f.file), content: f.content, reason: f.reason })) } : null;
  return { cacheKey, buildDir, logFile: path.join(buildDir, "baiengine-build.log"), toolchainFile, headerFixes };
}
