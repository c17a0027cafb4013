import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger, createProgram, detectEnvironment, printJson, programVersion, runCli, withReporter } from "@baiengine/cli-kit";
import { Option } from "commander";
import { formatTable, githubMatrix } from "../github-matrix.js";
import { assertAllBuilt, buildHost, planHost } from "../host/build-host.js";
import { defaultSources } from "../default-sources.js";
import { planMatrix } from "../plan-matrix.js";
import { githubRuntimeMatrix, planRuntimeCells } from "../runtime-cells.js";
import { MatrixUsageError } from "../errors.js";
import { publishRegistry } from "../release/publish-registry.js";
import { verifyRelease } from "../release/verify-release.js";

/** The repository root: this file is apps/build-matrix/dist/cli/matrix.js. */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

const list = (value: string, previous: string[] = []) => [...previous, ...value.split(",").map((v) => v.trim()).filter(Boolean)];

// `--version` names the engine version here, as in pack-engine: the tool's own is -V/--matrix-version.
const program = createProgram("matrix", "The OS × arch × accelerator build matrix of the engines, for CI and for this machine.", programVersion(import.meta.url), { versionFlags: "-V, --matrix-version" });
program
  .enablePositionalOptions()
  .option("--engine <id>", "only this engine")
  .option("--version <version>", "engine version (required for engines built from a git tag)")
  .option("--os <list>", "only these operating systems (comma-separated, repeatable)", list)
  .option("--arch <list>", "only these architectures", list)
  .option("--accel <list>", "only these accelerator tokens or families (cuda12, cuda, cpu)", list)
  .addOption(new Option("--format <format>", "output format").choices(["github", "json", "table"]).default("table"))
  .action((opts: { engine?: string; version?: string; os?: string[]; arch?: string[]; accel?: string[]; format: string }) => {
    const cells = planMatrix(
      {
        ...(opts.engine ? { engine: opts.engine } : {}),
        ...(opts.version ? { version: opts.version } : {}),
        filters: { ...(opts.os ? { os: opts.os } : {}), ...(opts.arch ? { arch: opts.arch } : {}), ...(opts.accel ? { accel: opts.accel } : {}) },
      },
      defaultSources(),
    );
    if (opts.format === "github") process.stdout.write(`${JSON.stringify(githubMatrix(cells))}\n`);
    else if (opts.format === "json") printJson(cells);
    else process.stdout.write(`${formatTable(cells)}\n`);
  });

program
  .command("runtimes")
  .description("the runtime cells: one GPU runtime pack (pack-runtime) per accelerator and platform, beside the engine cells")
  .option("--runtime <id>", "only this runtime (cuda13-runtime)")
  .addOption(new Option("--format <format>", "output format").choices(["github", "json", "table"]).default("table"))
  .action((opts: { runtime?: string; format: string }) => {
    const cells = planRuntimeCells(defaultSources().accelerators, opts.runtime ? { runtime: opts.runtime } : {});
    if (opts.format === "github") process.stdout.write(`${JSON.stringify(githubRuntimeMatrix(cells))}\n`);
    else if (opts.format === "json") printJson(cells);
    else for (const c of cells) process.stdout.write(`${c.id.padEnd(34)} ${c.runsOn.padEnd(16)} ${c.cacheKey}\n  ${c.packCommand}\n`);
  });

program
  .command("build")
  .description("pack and verify every cell this machine can build, through turbo (unchanged cells are cache hits)")
  .requiredOption("--host", "build the cells of this machine (native, and cross cells whose toolchains are installed)")
  .option("--engine <id>", "engine to build", "hello")
  .option("--version <version>", "engine version (default: read from the source)")
  .option("--source <dir>", "engine source folder (required for llama-cpp)")
  .option("--out <dir>", "where packages are copied (relative to the repository root)", "dist/engines")
  .option("--cmake-arg <arg>", "extra CMake argument for every cell (repeatable)", (v: string, p: string[] = []) => [...p, v])
  .option("--dry-run", "print the cells that would be built and skipped, build nothing")
  .option("--json", "print the result as JSON")
  .action(async (opts: { engine: string; version?: string; source?: string; out: string; cmakeArg?: string[]; dryRun?: boolean; json?: boolean }) => {
    const env = detectEnvironment();
    const log = createLogger(env);
    const source = opts.source ? resolve(process.env["INIT_CWD"] ?? process.cwd(), opts.source) : undefined;
    const request = { engine: opts.engine, ...(opts.version ? { version: opts.version } : {}), ...(source ? { source } : {}) };
    if (opts.dryRun) {
      const plan = await planHost(request);
      if (opts.json) printJson({ build: plan.build.map((b) => ({ id: b.cell.id, toolchain: b.toolchain, smoke: b.smoke })), skipped: plan.skipped.map((s) => ({ id: s.cell.id, reason: s.reason })) });
      else {
        for (const b of plan.build) process.stdout.write(`build ${b.cell.id} (${b.toolchain}${b.smoke ? ", smoke" : ""})\n`);
        for (const s of plan.skipped) process.stdout.write(`skip  ${s.cell.id}: ${s.reason}\n`);
      }
      return;
    }
    const result = await withReporter(opts, (reporter) => buildHost({ repoRoot: REPO_ROOT, ...request, outDir: opts.out, ...(opts.cmakeArg ? { cmakeArgs: opts.cmakeArg } : {}), reporter }));
    if (opts.json) {
      printJson({
        built: result.built.map((b) => ({ id: b.cell.id, toolchain: b.toolchain, cache: b.cache, turboHash: b.turboHash, file: b.file, sha256: b.verify.sha256, size: b.verify.size, smoke: b.verify.smoke ?? null, seconds: Number(b.seconds.toFixed(2)) })),
        skipped: result.plan.skipped.map((s) => ({ id: s.cell.id, reason: s.reason })),
        failed: result.failed.map((f) => ({ id: f.cell.id, reason: f.reason })),
      });
    } else {
      for (const b of result.built) {
        process.stdout.write(`built ${b.cell.id} (${b.toolchain}, turbo cache ${b.cache}, ${b.seconds.toFixed(1)}s): ${b.file} — verified${b.verify.smoke?.ran ? ", smoke ok" : ""}\n`);
      }
      for (const s of result.plan.skipped) process.stdout.write(`skipped ${s.cell.id}: ${s.reason}\n`);
      for (const f of result.failed) log.error(`${f.cell.id}: ${f.reason}`);
    }
    assertAllBuilt(result);
  });

const release = program.command("release").description("release steps that need no GitHub: verify the packages, update, commit and push the registry");

release
  .command("verify")
  .description("verify every package of a release folder (file names, verifier, .sha256)")
  .requiredOption("--engine <id>", "engine id")
  .requiredOption("--version <version>", "engine version")
  .requiredOption("--packages-dir <dir>", "folder of the downloaded packages")
  .action(async (opts: { engine: string; version: string; packagesDir: string }) => {
    const checks = await withReporter({}, (reporter) => verifyRelease({ ...opts, packagesDir: resolve(process.env["INIT_CWD"] ?? process.cwd(), opts.packagesDir), reporter }));
    for (const c of checks) process.stdout.write(`ok ${c.file} ${c.report.sha256}\n`);
  });

release
  .command("publish")
  .description("update the registry with the packages, commit, push (rebasing on a non-fast-forward, never forcing)")
  .option("--engine <id>", "engine id")
  .option("--runtime <id>", "runtime id: publish the folder's .bairuntime packs into runtimes[] instead")
  .requiredOption("--version <version>", "engine version, or the runtime's toolkit version")
  .requiredOption("--packages-dir <dir>", "folder of the release's packages")
  .option("--prerelease", "publish as the engine's pre-release")
  .option("--repo <dir>", "clone that holds the registry file", ".")
  .option("--registry-file <file>", "registry file inside the clone", "engines.json")
  .option("--remote <name-or-url>", "remote to pull from and push to (env BAIENGINE_PUSH_URL overrides)", "origin")
  .option("--branch <branch>", "branch to push (default: the current one)")
  .action(async (opts: { engine?: string; runtime?: string; version: string; packagesDir: string; prerelease?: boolean; repo: string; registryFile: string; remote: string; branch?: string }) => {
    const id = opts.engine ?? opts.runtime;
    if (id === undefined || (opts.engine !== undefined && opts.runtime !== undefined)) throw new MatrixUsageError("release publish needs exactly one of --engine <id> and --runtime <id>");
    const cwd = process.env["INIT_CWD"] ?? process.cwd();
    const result = await withReporter({}, (reporter) => publishRegistry({
      repoDir: resolve(cwd, opts.repo),
      engine: id,
      ...(opts.runtime !== undefined ? { runtime: true } : {}),
      version: opts.version,
      packagesDir: resolve(cwd, opts.packagesDir),
      prerelease: Boolean(opts.prerelease),
      registryFile: opts.registryFile,
      remote: process.env["BAIENGINE_PUSH_URL"] || opts.remote,
      ...(opts.branch ? { branch: opts.branch } : {}),
      reporter,
    }));
    process.stdout.write(result.changed ? `pushed ${result.commit} after ${result.attempts} attempt(s), ${result.rebased} rebase(s)\n` : "registry unchanged: nothing to commit\n");
  });

await runCli(program);
