import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createProgram, printJson, programVersion, runCli, UsageError } from "@baiengine/cli-kit";
import { Option } from "commander";
import { execa } from "execa";
import { gatherHostFacts } from "../facts.js";
import { formatAcceptancePlan } from "../format-plan.js";
import { runInside } from "../inside.js";
import { type AcceptanceOptions, type AcceptancePlan, planAcceptance } from "../plan.js";
import { formatSummary } from "../report.js";
import { runAcceptance } from "../run-acceptance.js";

interface Flags {
  engine: string;
  workDir?: string;
  source?: string;
  cacheDir?: string;
  computeCap?: string;
  dryRun?: boolean;
  json?: boolean;
  inside?: string;
}

const version = programVersion(import.meta.url);

/** pack-engine's own CMake configure line for the plan (its --dry-run), or null when it cannot plan here. */
async function configureLine(plan: AcceptancePlan): Promise<string[] | null> {
  const [node, ...args] = plan.commands.packEngine.argv;
  const r = await execa(node!, [...args.filter((a) => a !== "--json"), "--dry-run", "--json"], { reject: false, stdin: "ignore", env: plan.commands.packEngine.env ?? {} });
  try {
    return (JSON.parse(r.stdout) as { configure: { argv: string[] } }).configure.argv;
  } catch {
    return null;
  }
}

const program = createProgram("test-gpu", "The GPU acceptance run: build for this GPU, pack its runtime, publish, install with the toolkit hidden, list the GPU, serve a model on it, and refuse the package without its runtime", version);
program
  .option("--engine <id>", "engine profile; hello runs the whole sequence through its stand-in (stub runtime, stub device) on any machine", "llama-cpp")
  .option("--work-dir <dir>", "new or empty folder for everything the run writes (default: a new temporary folder)")
  .addOption(new Option("--source <dir>", "the engine's source checkout for pack-engine").env("BAIENGINE_LLAMA_SOURCE"))
  .addOption(new Option("--cache-dir <dir>", "pack-engine's build cache (default its own)").env("BAIENGINE_CACHE_DIR"))
  .option("--compute-cap <x.y>", "compute capability to plan for where there is no GPU (dry runs; default 9.0)")
  .option("--dry-run", "print every command the run would run, with pack-engine's CMake defines, and run nothing")
  .option("--json", "print the JSON report instead of the summary")
  .addOption(new Option("--inside <state>", "run steps 4-6 inside the mount namespace (used by the run itself)").hideHelp())
  .action(async (flags: Flags) => {
    if (flags.inside) {
      writeFileSync(`${flags.inside}.result`, JSON.stringify(await runInside(flags.inside)));
      return;
    }
    if (flags.computeCap !== undefined && !/^\d+\.\d+$/.test(flags.computeCap)) throw new UsageError(`--compute-cap ${JSON.stringify(flags.computeCap)} is not a compute capability`, "pass it as nvidia-smi prints it: 9.0, 8.6, 12.0");
    const facts = await gatherHostFacts();
    const workDir = path.resolve(flags.workDir ?? (flags.dryRun ? path.join(os.tmpdir(), "baiengine-gpu-XXXXXX") : mkdtempSync(path.join(os.tmpdir(), "baiengine-gpu-"))));
    const options: AcceptanceOptions = {
      engine: flags.engine,
      workDir,
      ...(flags.source ? { source: path.resolve(flags.source) } : {}),
      ...(flags.cacheDir ? { cacheDir: path.resolve(flags.cacheDir) } : {}),
      ...(flags.computeCap ? { computeCap: flags.computeCap } : {}),
    };
    const plan = planAcceptance(options, facts);
    if (flags.dryRun) {
      process.stdout.write(formatAcceptancePlan(plan, await configureLine(plan)));
      return;
    }
    if (plan.needs) throw new UsageError(plan.needs);
    const report = await runAcceptance(plan, facts, (s) => process.stderr.write(`${s.ok ? "»" : "✗"} ${s.name} (${(s.ms / 1000).toFixed(1)} s): ${s.detail}\n`));
    writeFileSync(plan.paths.report, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(plan.paths.summary, formatSummary(report));
    if (flags.json) printJson(report);
    else process.stdout.write(`${formatSummary(report)}  report    ${plan.paths.report}\n`);
    process.exitCode = report.ok ? 0 : 1;
  });

await runCli(program);
