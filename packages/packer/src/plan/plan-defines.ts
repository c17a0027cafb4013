import type { Os } from "@baiengine/schema";
import { splitCmakeArgs } from "./cmake-args.js";
import { toolPath } from "./check-tools.js";
import type { PackFacts } from "./facts.js";
import type { PackSource } from "./plan-source.js";
import type { PackTarget } from "./plan-target.js";
import type { PackOptions } from "./plan-types.js";

export interface PackDefines {
  /** Every -D define in order; later layers override earlier ones. */
  defines: Record<string, string>;
  /** The toolchain's own compiler flags from the engine profile (recorded in the manifest). */
  toolchainFlags: string[];
  /** --cmake-arg values that are not -D defines, passed through verbatim. */
  extra: string[];
  /** `Ninja` when ninja is installed, else CMake's default generator. */
  generator: string | null;
}

/** The accelerator's defines as the engine spells them (`GGML_CUDA` → `SD_CUDA` for stable-diffusion.cpp), in order. */
function engineSpelling(defines: Record<string, string>, names: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(defines).map(([k, v]) => [names[k] ?? k, v]));
}

/** Run paths that find linked libraries in `libs/` beside the binary (Windows finds DLLs beside the .exe). */
function runPathDefines(os: Os): Record<string, string> {
  if (os === "windows") return {};
  const origin = os === "macos" ? "@loader_path" : "$ORIGIN";
  return { CMAKE_BUILD_WITH_INSTALL_RPATH: "ON", CMAKE_INSTALL_RPATH: `${origin};${origin}/libs`, CMAKE_SKIP_INSTALL_RPATH: "OFF" };
}

/**
 * Step 4 of planPack: the CMake defines, layered in this order: build type, run paths, the engine's,
 * the source's (its version rule's dev option), the accelerator's (ggml engines), the engine's stand-in for the toolkit, the toolchain's, compiler flags (build paths mapped out of the
 * binaries, then the toolchain's flags), ccache as launcher when installed, then --cmake-arg -D values.
 */
export function planDefines(options: PackOptions, facts: PackFacts, target: PackTarget, source: Pick<PackSource, "dir" | "defines">): PackDefines {
  const { engine, accelerator, toolchain } = target;
  const sourceDir = source.dir;
  const user = splitCmakeArgs(options.cmakeArgs ?? []);
  const defines: Record<string, string> = { CMAKE_BUILD_TYPE: "Release", ...runPathDefines(target.os), ...engine.cmakeDefines, ...source.defines };
  if (engine.acceleratorDefines) Object.assign(defines, engineSpelling(accelerator.cmakeDefines, engine.acceleratorDefineNames ?? {}));
  if (target.standIn) Object.assign(defines, target.standIn.defines);
  const toolchainFlags = engine.toolchainFlags[toolchain.id]?.cFlags ?? [];
  Object.assign(defines, engine.toolchainFlags[toolchain.id]?.defines ?? {});
  // Build paths out of the binaries (__FILE__ in asserts), so packages do not leak the build machine's folders.
  const prefixMaps = sourceDir ? [`-ffile-prefix-map=${sourceDir}=${engine.id}`] : [];
  const cFlags = [...prefixMaps, ...toolchainFlags].join(" ");
  if (cFlags) Object.assign(defines, { CMAKE_C_FLAGS: cFlags, CMAKE_CXX_FLAGS: cFlags });
  if (toolPath(facts, "ccache")) {
    Object.assign(defines, { CMAKE_C_COMPILER_LAUNCHER: "ccache", CMAKE_CXX_COMPILER_LAUNCHER: "ccache" });
    if (defines[engine.acceleratorDefineNames?.["GGML_CUDA"] ?? "GGML_CUDA"] === "ON") defines["CMAKE_CUDA_COMPILER_LAUNCHER"] = "ccache";
  }
  Object.assign(defines, user.defines);
  return { defines, toolchainFlags, extra: user.extra, generator: toolPath(facts, "ninja") ? "Ninja" : null };
}
