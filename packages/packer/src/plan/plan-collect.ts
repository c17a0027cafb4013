import path from "node:path";
import { executableName } from "@baiengine/schema";
import type { PackFacts } from "./facts.js";
import type { PackTarget } from "./plan-target.js";
import type { CollectPlan, PackOptions } from "./plan-types.js";

/**
 * Step 7 of planPack: which files of the build tree go where under `package/`: the server binary,
 * the libraries it links (`libs/` for ELF/Mach-O, found through $ORIGIN/libs and @loader_path/libs;
 * beside the .exe on Windows), the run-time modules (beside the executable, where
 * ggml-backend-reg.cpp looks), the toolchain's runtime DLLs (mingw), the licence files, and how to strip
 * (with SOURCE_DATE_EPOCH `mtime`, the archive time, so PE time stamps are reproducible).
 */
export function planCollect(options: PackOptions, facts: PackFacts, target: PackTarget, buildDir: string, sourceArg: string, mtime: number | null): CollectPlan {
  const { engine, toolchain, os } = target;
  const serverBinary = executableName(engine.serverBinary, os);
  const binaryDir = path.join(buildDir, engine.binaryDir);
  const modules = engine.runtimeModules;
  return {
    binaryDir,
    serverBinary: { from: path.join(binaryDir, serverBinary), to: serverBinary },
    libraryDir: os === "windows" ? "" : "libs",
    modules: modules
      ? { dir: path.join(buildDir, modules.buildDir), prefix: modules.prefix[os] ?? modules.prefix.default, extension: modules.extension[os], exclude: modules.exclude, to: "" }
      : null,
    runtimeLibDirs: toolchain.bundlesRuntimeFromCompiler ? facts.runtimeLibDirs : [],
    licenseFiles: engine.licenseFiles.map((f) => ({ from: path.join(sourceArg, f), to: f })),
    strip: options.strip === false ? null : { tool: toolchain.strip.tool, args: toolchain.strip.args, env: mtime === null ? {} : { SOURCE_DATE_EPOCH: String(mtime) } },
  };
}
