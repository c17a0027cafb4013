import { executableName, type Manifest } from "@baiengine/schema";
import type { PackFacts } from "./facts.js";
import type { PackDefines } from "./plan-defines.js";
import type { PackSource } from "./plan-source.js";
import type { PackTarget } from "./plan-target.js";

/** The first app version that reads `.baiengine` packages (the design's manifest example). */
export const MIN_APP_VERSION = "0.11.0";

/** Defines that name this machine (launchers, toolchain file, build-path maps) stay out of the manifest. */
const MACHINE_DEFINES = new Set(["CMAKE_TOOLCHAIN_FILE", "CMAKE_C_FLAGS", "CMAKE_CXX_FLAGS"]);

/** How the package was built, for `manifest.build`: source, defines, compiler, toolchain, packer. */
function buildRecord(facts: PackFacts, target: PackTarget, source: PackSource, build: PackDefines, defines: Record<string, string>): Manifest["build"] {
  const { engine, toolchain } = target;
  return {
    ...(engine.source.kind === "local" ? {} : { sourceRepository: engine.source.repository }),
    ...(source.npmPackage ? { sourcePackage: source.npmPackage } : {}),
    ...(source.facts?.commit ? { sourceCommit: source.facts.commit } : {}),
    ...(source.mtime !== null ? { sourceDate: new Date(source.mtime * 1000).toISOString(), ...(source.mtimeFrom ? { sourceDateFrom: source.mtimeFrom } : {}) } : {}),
    cmakeDefines: Object.fromEntries(Object.entries(defines).filter(([k]) => !k.endsWith("_LAUNCHER") && !MACHINE_DEFINES.has(k))),
    ...(facts.compilerVersion ? { compiler: facts.compilerVersion } : {}),
    toolchain: toolchain.id,
    // Flags the toolchain needs (not the build-path maps, which name this machine's folders).
    ...(build.toolchainFlags.length > 0 ? { compilerFlags: build.toolchainFlags.join(" ") } : {}),
    ...(build.generator ? { generator: build.generator } : {}),
    packer: `@baiengine/packer ${facts.packerVersion}`,
  };
}

/**
 * Step 9 of planPack: the manifest draft. The toolkit version is the stand-in's, else the probed
 * one (or the token's major) for versioned accelerators; CUDA architectures and the macOS minimum come from the final
 * defines. The stager completes `requirements` from the binaries.
 */
export function planManifest(facts: PackFacts, target: PackTarget, source: PackSource, build: PackDefines, defines: Record<string, string>): Manifest {
  const { engine, accelerator, family } = target;
  const kit = accelerator.toolkit;
  const gpuList = accelerator.gpuTargets ? (defines[accelerator.gpuTargets.define] ?? "").split(";").filter(Boolean) : undefined;
  return {
    engineId: engine.id,
    version: source.version,
    accelerator: family,
    acceleratorVersion: target.standIn ? target.standIn.acceleratorVersion : kit?.versioned ? (facts.toolkitVersion ?? String(kit.major)) : null,
    os: target.os,
    arch: target.arch,
    serverBinary: executableName(engine.serverBinary, target.os),
    modelFormats: [...engine.modelFormats],
    minAppVersion: MIN_APP_VERSION,
    build: buildRecord(facts, target, source, build, defines),
    requirements: {
      ...(family === "cuda" && gpuList && gpuList.length > 0 ? { cudaArchitectures: gpuList } : {}),
      ...(defines["CMAKE_OSX_DEPLOYMENT_TARGET"] ? { macosMin: defines["CMAKE_OSX_DEPLOYMENT_TARGET"] } : {}),
    },
  };
}
