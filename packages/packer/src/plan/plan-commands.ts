import { defineArgs } from "./cmake-args.js";
import type { PackFacts } from "./facts.js";
import type { BuildFolder } from "./plan-build-folder.js";
import type { PackDefines } from "./plan-defines.js";
import type { PackTarget } from "./plan-target.js";
import type { PackOptions, PlannedCommand } from "./plan-types.js";

export interface PackCommands {
  /** The defines as passed: CMAKE_TOOLCHAIN_FILE first when there is one. */
  defines: Record<string, string>;
  configure: PlannedCommand;
  build: PlannedCommand;
}

/**
 * Step 6 of planPack: `cmake -S <source> -B <build dir> [-G Ninja] -D…` and `cmake --build … --target
 * <engine's target> -j <jobs>`, run from the working directory, with the header fixes first on the
 * compilers' include path (CPLUS_INCLUDE_PATH, C_INCLUDE_PATH) and SOURCE_DATE_EPOCH the archive
 * time `mtime` (reproducible PE files: binutils stamps them with the current time otherwise).
 */
export function planCommands(options: PackOptions, facts: PackFacts, target: PackTarget, sourceArg: string, build: PackDefines, folder: BuildFolder, mtime: number | null): PackCommands {
  const env: Record<string, string> = folder.headerFixes ? { CPLUS_INCLUDE_PATH: folder.headerFixes.dir, C_INCLUDE_PATH: folder.headerFixes.dir } : {};
  // The linker writes it into PE time stamps (COFF header, export directory), GCC into __DATE__/__TIME__.
  if (mtime !== null) env["SOURCE_DATE_EPOCH"] = String(mtime);
  const defines = folder.toolchainFile ? { CMAKE_TOOLCHAIN_FILE: folder.toolchainFile.path, ...build.defines } : build.defines;
  const generator = build.generator ? ["-G", build.generator] : [];
  const jobs = String(options.jobs ?? facts.cpus);
  return {
    defines,
    configure: { argv: ["cmake", "-S", sourceArg, "-B", folder.buildDir, ...generator, ...defineArgs(defines), ...build.extra], cwd: facts.cwd, env },
    build: { argv: ["cmake", "--build", folder.buildDir, "--target", target.engine.cmakeTarget, "-j", jobs], cwd: facts.cwd, env },
  };
}
