import { createHash } from "node:crypto";
import path from "node:path";
import {
  type Arch,
  checkNamePart,
  executableName,
  isSupportedPlatform,
  type Manifest,
  type Os,
  safeParseAcceleratorToken,
} from "@baiengine/schema";
import { MissingToolchainError, NeedsNativeRunnerError, SourceError, UnknownProfileError, UnsupportedTargetError } from "../errors.js";
import { nativeToolchain, sourceTag, type ToolchainProfile, toolkitMajor } from "@baiengine/profiles";
import { chooseArchiveTime } from "./archive-time.js";
import { getAcceleratorProfile, getEngineProfile, selectToolchain } from "./select-profiles.js";
import { defineArgs, splitCmakeArgs } from "./cmake-args.js";
import type { PackFacts } from "./facts.js";
import type { CollectPlan, PackOptions, PackPlan } from "./plan-types.js";
import { toolchainFileContent } from "./toolchain-file.js";
import { planFilename, UNKNOWN_VERSION } from "./unknown-version.js";

/** The first app version that reads `.baiengine` packages (the design's manifest example). */
export const MIN_APP_VERSION = "0.11.0";

export interface PlanContext {
  facts: PackFacts;
  /** Dry runs record what would stop a real pack in `blockers` instead of throwing. */
  dryRun?: boolean;
}

/**
 * Decides everything a pack will do, from the options and the facts gathered about this machine.
 * Pure: no file is written and no process is run. Throws the refusals a real pack must make before
 * building; a dry run records toolchain and source problems as blockers instead.
 */
export function planPack(options: PackOptions, context: PlanContext): PackPlan {
  const { facts } = context;
  const blockers: string[] = [];
  const refuse = (error: Error) => {
    if (!context.dryRun) throw error;
    blockers.push(error.message + ("hint" in error && error.hint ? ` (${error.hint})` : ""));
  };

  const engine = getEngineProfile(options.engine ?? "llama-cpp");
  const os: Os = options.os ?? facts.host.os;
  const arch: Arch = options.arch ?? facts.host.arch;
  const token = options.accel;
  const parsedToken = safeParseAcceleratorToken(token);
  if (!parsedToken.ok) throw new UnknownProfileError(parsedToken.error, "pass --accel with a token such as cpu, metal, cuda12, cuda13, rocm6, vulkan");
  if (!isSupportedPlatform(os, arch, token)) {
    throw new UnsupportedTargetError(
      `${token} packages are not built for ${os}-${arch}: the platform matrix does not allow it`,
      "pick another --accel, --os or --arch (`pnpm matrix --format table` lists every cell)",
    );
  }
  if (engine.tokens !== null && !engine.tokens.includes(token)) {
    throw new UnknownProfileError(`engine ${engine.id} has no ${token} build`, `pass --accel ${engine.tokens.join(" or ")}`);
  }
  const accelerator = getAcceleratorProfile(os, arch, token);
  const standIn = engine.standIns?.[token] ?? null;
  const target = { os, arch };

  // Toolchain: native, a cross profile, or (dry runs only) a stand-in native runner.
  let toolchain: ToolchainProfile;
  try {
    toolchain = selectToolchain(facts.host, target);
  } catch (error) {
    if (!(error instanceof NeedsNativeRunnerError)) throw error;
    refuse(error);
    toolchain = nativeToolchain(target);
  }
  const isCross = toolchain.id !== "native";
  const tool = (name: string | null) => (name === null ? null : (facts.tools[name] ?? null));
  if (!tool("cmake")) refuse(new MissingToolchainError("cmake is not installed", "apt-get install cmake ninja-build (CMake 3.18 or newer)"));
  for (const compiler of [toolchain.cc, toolchain.cxx]) {
    if (compiler !== null && !tool(compiler)) {
      refuse(new MissingToolchainError(`the ${toolchain.id} toolchain is missing ${compiler}`, `apt-get install ${toolchain.debianPackages.join(" ")}`));
      break;
    }
  }
  if (accelerator.toolkit && standIn === null) {
    const kit = accelerator.toolkit;
    if (isCross) {
      refuse(new NeedsNativeRunnerError(`${token} for ${os}-${arch} cannot be cross-built from ${facts.host.os}-${facts.host.arch}`, `run pack-engine on a ${os}-${arch} runner with the ${kit.probe} toolkit`));
    } else if (!tool(kit.probe)) {
      refuse(new MissingToolchainError(`${token} needs ${kit.probe}, which is not installed`, kit.install));
    }
    if (kit.major !== null && !isCross && tool(kit.probe)) {
      const found = toolkitMajor(facts.toolkitVersion);
      if (found !== kit.major) {
        refuse(
          new MissingToolchainError(
            `${token} needs ${kit.probe} ${kit.major}.x, but ${facts.tools[kit.probe]} is ${facts.toolkitVersion ?? "of an unknown version"}`,
            `${kit.install}, or pass --accel ${parsedToken.value.accelerator}${found ?? ""} to build for the installed toolkit`,
          ),
        );
      }
    }
    if (!isCross && tool(kit.probe) && facts.toolkitMissing.length > 0) {
      refuse(new MissingToolchainError(`${token} needs ${facts.toolkitMissing.join(", ")}, which is not installed`, `${kit.install}; the libraries it links (e.g. libcublas-dev) must be installed too`));
    }
  }

  // Source: --source, the profile's local folder, or a clone of the version's tag.
  let sourceDir: string | null = null;
  let clone: PackPlan["source"]["clone"] = null;
  if (options.source !== undefined) {
    // A source tarball was unpacked into the cache while gathering facts: build that folder.
    sourceDir = facts.source?.archive ? facts.source.dir : path.resolve(facts.cwd, options.source);
  } else if (engine.source.kind === "local") {
    sourceDir = path.join(facts.packerRoot, engine.source.dir);
  } else if (options.version !== undefined) {
    const tag = sourceTag(engine.source, options.version);
    clone = { repository: engine.source.repository, tag };
    sourceDir = path.join(facts.cacheDir, "sources", `${engine.id}-${tag}`);
    if (!facts.network && facts.source === null) {
      refuse(new SourceError(`no network to clone ${engine.source.repository} at ${tag}`, `pass --source <dir> with a ${engine.name} checkout`));
    }
  } else {
    refuse(new SourceError(`no ${engine.name} source and no version to clone`, `pass --source <dir or .tar.gz> with a ${engine.name} source, or --version <tag> to clone it`));
  }
  const source = facts.source;
  if (source === null) {
    if (clone === null && sourceDir !== null) refuse(new SourceError(`${sourceDir} does not exist`, `pass --source with a ${engine.name} checkout`));
  } else if (source.missingMarkers.length > 0) {
    refuse(
      new SourceError(
        `${source.dir} is not a ${engine.name} source tree (missing ${source.missingMarkers.join(", ")})`,
        `pass --source with a ${engine.name} checkout${engine.source.kind === "git" ? ` (${engine.source.repository})` : ""}`,
      ),
    );
  }

  // Version: --version, else the source's tag, else what its CMake files declare. Never made up.
  let version: string = UNKNOWN_VERSION;
  let versionFrom: string = "unknown";
  if (options.version !== undefined) [version, versionFrom] = [options.version, "--version"];
  else if (source?.tag) [version, versionFrom] = [source.tag, "git tag"];
  else if (source?.declaredVersion) [version, versionFrom] = [source.declaredVersion, engine.versionRules.map((r) => r.file).join(", ")];
  else if (sourceDir !== null) refuse(new SourceError(`cannot tell the ${engine.name} version of ${sourceDir}`, "pass --version <version>"));
  const versionProblem = version === UNKNOWN_VERSION ? null : checkNamePart("version", version);
  if (versionProblem) throw new UnknownProfileError(versionProblem, "pass --version with a version such as b4618 or 0.5.0");

  const archiveTime = chooseArchiveTime(options.sourceDateEpoch ?? facts.sourceDateEpoch, source);
  const mtime = archiveTime?.seconds ?? null;
  if (mtime === null && clone === null && source !== null) refuse(new SourceError(`no time for the archive entries: ${source.dir} has no commit and no files`, "set SOURCE_DATE_EPOCH"));

  // Defines: build type, relocation, toolchain, engine, accelerator, toolchain flags, then --cmake-arg.
  const user = splitCmakeArgs(options.cmakeArgs ?? []);
  const generator = tool("ninja") ? "Ninja" : null;
  const defines: Record<string, string> = { CMAKE_BUILD_TYPE: "Release" };
  if (os !== "windows") {
    const origin = os === "macos" ? "@loader_path" : "$ORIGIN";
    Object.assign(defines, { CMAKE_BUILD_WITH_INSTALL_RPATH: "ON", CMAKE_INSTALL_RPATH: `${origin};${origin}/libs`, CMAKE_SKIP_INSTALL_RPATH: "OFF" });
  }
  Object.assign(defines, engine.cmakeDefines);
  if (engine.acceleratorDefines) Object.assign(defines, accelerator.cmakeDefines);
  if (standIn) Object.assign(defines, standIn.defines);
  const toolchainFlags = engine.toolchainFlags[toolchain.id]?.cFlags ?? [];
  Object.assign(defines, engine.toolchainFlags[toolchain.id]?.defines ?? {});
  // Build paths out of the binaries (__FILE__ in asserts), so packages do not leak the build machine's folders.
  const prefixMaps = sourceDir ? [`-ffile-prefix-map=${sourceDir}=${engine.id}`] : [];
  const cFlags = [...prefixMaps, ...toolchainFlags].join(" ");
  if (cFlags) Object.assign(defines, { CMAKE_C_FLAGS: cFlags, CMAKE_CXX_FLAGS: cFlags });
  if (tool("ccache")) {
    Object.assign(defines, { CMAKE_C_COMPILER_LAUNCHER: "ccache", CMAKE_CXX_COMPILER_LAUNCHER: "ccache" });
    if (defines["GGML_CUDA"] === "ON") defines["CMAKE_CUDA_COMPILER_LAUNCHER"] = "ccache";
  }
  Object.assign(defines, user.defines);

  const filename = planFilename({ engineId: engine.id, version, os, arch, acceleratorToken: token });
  const cell = filename.replace(/\.baiengine$/, "");
  const cacheKey = createHash("sha256")
    .update(
      JSON.stringify({
        engine: engine.id,
        source: source?.identity ?? clone,
        sourceDir,
        defines,
        extra: user.extra,
        toolchain: [toolchain.id, toolchain.cc, toolchain.cxx],
        target: [os, arch, token],
        generator,
        target_: engine.cmakeTarget,
      }),
    )
    .digest("hex")
    .slice(0, 16);
  const buildDir = path.join(facts.cacheDir, "builds", `${cell}-${cacheKey}`);

  let toolchainFile: PackPlan["toolchainFile"] = null;
  if (toolchain.cmakeSystem && toolchain.cc && toolchain.cxx) {
    const content = toolchainFileContent(toolchain, { cc: tool(toolchain.cc) ?? toolchain.cc, cxx: tool(toolchain.cxx) ?? toolchain.cxx, rc: toolchain.rc ? (tool(toolchain.rc) ?? toolchain.rc) : null });
    if (content) toolchainFile = { path: path.join(buildDir, "baiengine-toolchain.cmake"), content };
  }
  const fixes = toolchain.headerFixes ?? [];
  const headerFixDir = path.join(buildDir, "baiengine-include");
  const headerFixes: PackPlan["headerFixes"] =
    fixes.length > 0 ? { dir: headerFixDir, files: fixes.map((f) => ({ path: path.join(headerFixDir, f.file), content: f.content, reason: f.reason })) } : null;
  const commandEnv: Record<string, string> = headerFixes ? { CPLUS_INCLUDE_PATH: headerFixes.dir, C_INCLUDE_PATH: headerFixes.dir } : {};
  const allDefines = toolchainFile ? { CMAKE_TOOLCHAIN_FILE: toolchainFile.path, ...defines } : defines;
  const sourceArg = sourceDir ?? `<${engine.id} source>`;

  const configure = {
    argv: ["cmake", "-S", sourceArg, "-B", buildDir, ...(generator ? ["-G", generator] : []), ...defineArgs(allDefines), ...user.extra],
    cwd: facts.cwd,
    env: commandEnv,
  };
  const jobs = options.jobs ?? facts.cpus;
  const build = { argv: ["cmake", "--build", buildDir, "--target", engine.cmakeTarget, "-j", String(jobs)], cwd: facts.cwd, env: commandEnv };

  const serverBinary = executableName(engine.serverBinary, os);
  const modules = engine.runtimeModules;
  const collect: CollectPlan = {
    binaryDir: path.join(buildDir, engine.binaryDir),
    serverBinary: { from: path.join(buildDir, engine.binaryDir, serverBinary), to: serverBinary },
    // Windows finds DLLs beside the .exe; ELF/Mach-O find them through $ORIGIN/libs, @loader_path/libs.
    libraryDir: os === "windows" ? "" : "libs",
    // ggml-backend-reg.cpp looks for backends beside the executable (then in the working directory).
    modules: modules
      ? { dir: path.join(buildDir, modules.buildDir), prefix: modules.prefix[os] ?? modules.prefix.default, extension: modules.extension[os], exclude: modules.exclude, to: "" }
      : null,
    runtimeLibDirs: toolchain.bundlesRuntimeFromCompiler ? facts.runtimeLibDirs : [],
    licenseFiles: engine.licenseFiles.map((f) => ({ from: path.join(sourceArg, f), to: f })),
    strip: options.strip === false ? null : { tool: toolchain.strip.tool, args: toolchain.strip.args },
  };

  const family = parsedToken.value.accelerator;
  const kitVersion = standIn
    ? standIn.acceleratorVersion
    : accelerator.toolkit?.versioned
      ? (facts.toolkitVersion ?? String(accelerator.toolkit.major))
      : null;
  const gpuList = accelerator.gpuTargets ? (allDefines[accelerator.gpuTargets.define] ?? "").split(";").filter(Boolean) : undefined;
  const manifest: Manifest = {
    engineId: engine.id,
    version,
    accelerator: family,
    acceleratorVersion: kitVersion,
    os,
    arch,
    serverBinary,
    modelFormats: [...engine.modelFormats],
    minAppVersion: MIN_APP_VERSION,
    build: {
      ...(engine.source.kind === "git" ? { sourceRepository: engine.source.repository } : {}),
      ...(source?.commit ? { sourceCommit: source.commit } : {}),
      ...(archiveTime ? { sourceDate: new Date(archiveTime.seconds * 1000).toISOString(), sourceDateFrom: archiveTime.from } : {}),
      cmakeDefines: Object.fromEntries(Object.entries(allDefines).filter(([k]) => !k.endsWith("_LAUNCHER") && k !== "CMAKE_TOOLCHAIN_FILE" && k !== "CMAKE_C_FLAGS" && k !== "CMAKE_CXX_FLAGS")),
      ...(facts.compilerVersion ? { compiler: facts.compilerVersion } : {}),
      toolchain: toolchain.id,
      // Flags the toolchain needs (not the build-path maps, which name this machine's folders).
      ...(toolchainFlags.length > 0 ? { compilerFlags: toolchainFlags.join(" ") } : {}),
      ...(generator ? { generator } : {}),
      packer: `@baiengine/packer ${facts.packerVersion}`,
    },
    requirements: {
      ...(family === "cuda" && gpuList && gpuList.length > 0 ? { cudaArchitectures: gpuList } : {}),
      ...(allDefines["CMAKE_OSX_DEPLOYMENT_TARGET"] ? { macosMin: allDefines["CMAKE_OSX_DEPLOYMENT_TARGET"] } : {}),
    },
  };

  const outDir = path.resolve(facts.cwd, options.out ?? "dist/engines");
  return {
    cell,
    engine,
    accelerator,
    toolchain,
    target: { os, arch, token, accelerator: family },
    version,
    versionFrom,
    source: { dir: sourceDir, clone, commit: source?.commit ?? null },
    mtime,
    mtimeFrom: archiveTime?.from ?? null,
    cacheKey,
    buildDir,
    logFile: path.join(buildDir, "baiengine-build.log"),
    headerFixes,
    toolchainFile,
    defines: allDefines,
    extraCmakeArgs: user.extra,
    generator,
    configure,
    build,
    collect,
    manifest,
    outDir,
    outFile: path.join(outDir, filename),
    tempFile: path.join(outDir, `.${filename}.partial`),
    checksumFile: path.join(outDir, `${filename}.sha256`),
    blockers,
  };
}
