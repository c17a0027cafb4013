import { createProgram, platformFlags, printJson, programVersion, runCli, withReporter } from "@baiengine/cli-kit";
import { Option } from "commander";
import { formatRuntimePlan } from "../runtime/format-runtime-plan.js";
import { packRuntime, planRuntimePackHere } from "../runtime/pack-runtime.js";
import type { RuntimePackOptions } from "../runtime/runtime-types.js";

interface Flags {
  accel: string;
  engine?: string;
  os?: string;
  arch?: string;
  out: string;
  toolkit?: string;
  from: string[];
  cacheDir?: string;
  dryRun?: boolean;
  json?: boolean;
}

function toOptions(flags: Flags): RuntimePackOptions {
  return {
    accel: flags.accel,
    out: flags.out,
    ...(flags.engine !== undefined ? { engine: flags.engine } : {}),
    ...platformFlags(flags),
    ...(flags.toolkit !== undefined ? { toolkit: flags.toolkit } : {}),
    ...(flags.from.length > 0 ? { from: flags.from } : {}),
    ...(flags.cacheDir !== undefined ? { cacheDir: flags.cacheDir } : {}),
  };
}

const version = programVersion(import.meta.url);
const program = createProgram("pack-runtime", "Pack the installed GPU toolkit's redistributable runtime as a reproducible .bairuntime", version);
program
  .requiredOption("--accel <token>", "accelerator token whose runtime is packed: cuda12, cuda13, rocm6")
  .option("--engine <id>", "engine whose own runtime profile is preferred (hello: the fixture's stub runtime; default: the token's runtime)")
  .option("--os <os>", "target OS (default: this machine's)")
  .option("--arch <arch>", "target architecture (default: this machine's)")
  .option("--out <dir>", "output folder", "dist/runtimes")
  .option("--toolkit <dir>", "toolkit root (default: $CUDA_PATH, $CUDA_HOME, /usr/local/cuda, else the folder above nvcc's real path; ROCm: $ROCM_PATH, /opt/rocm, hipcc; --engine hello: the build folder of pack-engine --engine hello)")
  .option("--from <dir>", "folder of the engine's binaries: pack what they link (repeatable; default: the profile's seeds)", (v: string, all: string[]) => [...all, v], [] as string[])
  .addOption(new Option("--cache-dir <dir>", "pack-engine's build cache, where a stand-in engine's runtime is built (default ~/.cache/baiengine/packer)").env("BAIENGINE_CACHE_DIR"))
  .option("--dry-run", "print the plan without packing")
  .option("--json", "print one JSON object")
  .action(async (flags: Flags) => {
    const options = toOptions(flags);
    if (flags.dryRun) {
      const plan = await planRuntimePackHere(options);
      if (flags.json) printJson(plan);
      else process.stdout.write(formatRuntimePlan(plan));
      return;
    }
    const result = await withReporter(flags, (reporter) => packRuntime(options, { reporter }));
    if (flags.json) printJson({ file: result.file, size: result.size, sha256: result.sha256, manifest: result.manifest });
    else process.stdout.write(`${result.file}\n  size   ${result.size} bytes\n  sha256 ${result.sha256}\n`);
  });

await runCli(program);
