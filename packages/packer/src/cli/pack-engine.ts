import { createProgram, parsePositiveInt, platformFlags, printJson, programVersion, runCli, withReporter } from "@baiengine/cli-kit";
import { Option } from "commander";
import { pack, planPackHere } from "../pack.js";
import { formatPlan } from "../plan/format-plan.js";
import type { PackOptions } from "../plan/plan-types.js";

interface Flags {
  accel: string;
  engine: string;
  version?: string;
  os?: string;
  arch?: string;
  source?: string;
  out: string;
  jobs?: number;
  cmakeArg: string[];
  strip: boolean;
  dryRun?: boolean;
  json?: boolean;
  cacheDir?: string;
}

function toOptions(flags: Flags): PackOptions {
  return {
    accel: flags.accel,
    engine: flags.engine,
    ...(flags.version !== undefined ? { version: flags.version } : {}),
    ...platformFlags(flags),
    ...(flags.source !== undefined ? { source: flags.source } : {}),
    out: flags.out,
    ...(flags.jobs !== undefined ? { jobs: flags.jobs } : {}),
    cmakeArgs: flags.cmakeArg,
    strip: flags.strip,
    ...(flags.cacheDir !== undefined ? { cacheDir: flags.cacheDir } : {}),
  };
}

const version = programVersion(import.meta.url);
// `--version <v>` is the engine's version here: the packer's own is -V/--packer-version.
const program = createProgram("pack-engine", "Build an engine with CMake and pack it as a relocatable, reproducible .baiengine", version, { versionFlags: "-V, --packer-version" });
program
  .requiredOption("--accel <token>", "accelerator token: cpu, metal, cuda12, cuda13, rocm6, vulkan")
  .option("--engine <id>", "engine profile", "llama-cpp")
  .option("--version <version>", "engine version (default: the source's tag, else what its CMake files declare)")
  .option("--os <os>", "target OS (default: this machine's)")
  .option("--arch <arch>", "target architecture (default: this machine's)")
  .option("--source <dir>", "engine source checkout (default: clone the version's tag into the cache)")
  .option("--out <dir>", "output folder", "dist/engines")
  .option("--jobs <n>", "parallel build jobs", parsePositiveInt("--jobs"))
  .option("--cmake-arg <arg>", "extra CMake argument (repeatable; -DNAME=VALUE overrides the profile)", (v: string, all: string[]) => [...all, v], [] as string[])
  .option("--no-strip", "keep debug symbols")
  .option("--dry-run", "print the plan without building (works for any target)")
  .option("--json", "print one JSON object")
  .addOption(new Option("--cache-dir <dir>", "build and source cache (default ~/.cache/baiengine/packer)").env("BAIENGINE_CACHE_DIR"))
  .action(async (flags: Flags) => {
    const options = toOptions(flags);
    if (flags.dryRun) {
      const plan = await planPackHere(options, true);
      if (flags.json) printJson(plan);
      else process.stdout.write(formatPlan(plan));
      return;
    }
    const result = await withReporter(flags, (reporter) => pack(options, { reporter }));
    if (flags.json) {
      printJson({ file: result.file, size: result.size, sha256: result.sha256, manifest: result.manifest, timings: result.timings, reusedBuild: result.reusedBuild, buildDir: result.plan.buildDir });
    } else {
      process.stdout.write(`${result.file}\n  size   ${result.size} bytes\n  sha256 ${result.sha256}\n`);
    }
  });

await runCli(program);
