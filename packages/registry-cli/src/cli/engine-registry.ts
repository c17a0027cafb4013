import { join, resolve as resolvePath } from "node:path";
import {
  createLogger,
  createProgram,
  createProgressReporter,
  detectEnvironment,
  parsePositiveInt,
  printJson,
  runCli,
  UsageError,
} from "@baiengine/cli-kit";
import { requireHostPlatform } from "@baiengine/cli-kit/system";
import { ARCH_VALUES, type Arch, isArch, isOs, OS_VALUES, type Os, platformKey, RUNTIME_EXTENSION } from "@baiengine/schema";
import type { Command } from "commander";
import { NoPackageFitsError } from "../errors.js";
import { modifyIndex } from "../index-file/modify-index.js";
import { readIndex } from "../index-file/read-index.js";
import { type LoadedRegistry, loadRegistry, registryTrust } from "../index-source/load-registry.js";
import type { InstallTarget } from "../install/install-steps.js";
import { pathToFileURL } from "node:url";
import { bindToSignedTargets } from "../tuf-client/signed-plan.js";
import { DEFAULT_EXPIRY, parseDuration } from "../trust/expiry.js";
import type { Rendered } from "../commands/rendered.js";
import { initRepository } from "../init/init-repository.js";
import { defaultEnginesDir } from "../install/engines-dir.js";
import { importIncoming } from "../install/import-incoming.js";
import { applyInstall, type InstallResult } from "../install/install-package.js";
import { applyRuntimeInstall, type RuntimeInstallResult } from "../install/install-runtime.js";
import { describeRuntimePlan, planIndexedRuntimeInstall, planRuntimeFileInstall, type RuntimeInstallPlan } from "../install/runtime-plan.js";
import { describeInstallPlan, type InstallPlan, planFileInstall, planResolvedInstall } from "../install/install-plan.js";
import { formatTable, listRows } from "../list/list-engines.js";
import { detectHostFacts } from "../resolve/host-facts.js";
import { type Resolution, resolvePackage } from "../resolve/resolve-package.js";
import { applyMigrate, exportPackagesJson } from "../packages-json/apply-packages-json.js";
import type { MigrateChanges } from "../packages-json/plan-migrate.js";
import { applyRuntimeUpdate } from "../update/apply-runtime-update.js";
import { applyUpdate } from "../update/apply-update.js";
import { namePackagesLikeIndex, type PackageRename } from "../update/name-style.js";
import type { RuntimeUpdateChanges } from "../update/plan-runtime-update.js";
import type { UpdateChanges } from "../update/plan-update.js";
import { planSetBaseUrl } from "../update/set-base-url.js";
import { validateIndexFile } from "../validate/validate-index.js";
import { parseMirrorUrl } from "./mirror-url.js";
import { requirePath } from "./require-path.js";
import { packageVerifier } from "../verifier-port.js";

/** Declares the commands and renders results; the work is in the library modules. */
interface Common {
  registry: string;
  json?: boolean;
}

const env = detectEnvironment();
const log = createLogger(env);
const out = (line: string) => process.stdout.write(`${line}\n`);

function common(command: Command): Command {
  return command.option("--registry <path>", "engines.json to read or write", "./engines.json").option("--json", "print one JSON document on stdout");
}

function reporterFor(opts: Common) {
  return createProgressReporter(env, { quiet: Boolean(opts.json) });
}

function platformOptions(command: Command): Command {
  return command
    .option("--os <os>", `target OS (${OS_VALUES.join(", ")}); default: this host`)
    .option("--arch <arch>", `target arch (${ARCH_VALUES.join(", ")}); default: this host`)
    .option("--accel <token>", "accelerator token (cpu, metal, cuda12, rocm6, vulkan, ...) or family (cuda); default: best for this host")
    .option("--prerelease", "use the engine's pre-release instead of its stable version")
    .option("--base-url <url>", "download from this mirror instead of the registry's baseUrl (http(s):// or file://)", parseMirrorUrl);
}

async function target(opts: { os?: string; arch?: string; accel?: string }) {
  if (opts.os === undefined && opts.arch === undefined) {
    if (opts.accel === undefined) return { host: await detectHostFacts() };
    // --accel alone: that accelerator's package for this machine's os/arch.
    const host = requireHostPlatform("pass --os and --arch with --accel");
    return { request: { os: host.os, arch: host.arch, accel: opts.accel } };
  }
  if (opts.os === undefined || opts.arch === undefined) throw new UsageError("--os and --arch go together", "pass both, or neither to detect this host");
  if (!isOs(opts.os)) throw new UsageError(`--os ${opts.os} is not one of ${OS_VALUES.join(", ")}`);
  if (!isArch(opts.arch)) throw new UsageError(`--arch ${opts.arch} is not one of ${ARCH_VALUES.join(", ")}`);
  return { request: { os: opts.os as Os, arch: opts.arch as Arch, ...(opts.accel !== undefined ? { accel: opts.accel } : {}) } };
}

const outcome = (written: boolean, dryRun: boolean) => (dryRun ? " (dry run: nothing written)" : written ? "" : " (no change: index untouched)");

function renderLists(c: { added: string[]; replaced: string[]; removed: string[]; unchanged: string[] }): void {
  for (const f of c.added) out(`  + ${f}`);
  for (const f of c.replaced) out(`  ~ ${f}`);
  for (const f of c.removed) out(`  - ${f}`);
  for (const f of c.unchanged) out(`  = ${f}`);
}

function renderRenames(renames: PackageRename[], dryRun: boolean): void {
  for (const r of renames) out(`${dryRun ? "would rename" : "renamed"} ${r.from} -> ${r.filename} (the index's spelling)`);
}

function renderChanges(c: UpdateChanges, written: boolean, dryRun: boolean): void {
  const where = c.channel === "prerelease" ? "pre-release" : "latestVersion";
  out(`${c.engineId}: ${where} ${c.version.from ?? "(new engine)"} -> ${c.version.to}${c.releaseDate ? ` (released ${c.releaseDate})` : ""}${outcome(written, dryRun)}`);
  renderLists(c);
  for (const f of c.planned) out(`  ? ${f}: planned, no file in the packages folder: not published`);
  if (c.clearedPrerelease) out(`  pre-release ${c.clearedPrerelease} cleared (stable ${c.version.to} is at or above it)`);
}

function renderRuntimeChanges(c: RuntimeUpdateChanges, written: boolean, dryRun: boolean): void {
  out(`${c.runtimeId}: latestVersion ${c.version.from ?? "(new runtime)"} -> ${c.version.to}${outcome(written, dryRun)}`);
  renderLists(c);
}

function renderMigrate(c: MigrateChanges, to: string, written: boolean, dryRun: boolean): void {
  out(`${to}: ${c.newIndex ? "created from packages.json" : "merged from packages.json"}${outcome(written, dryRun)}`);
  for (const item of c.items) {
    out(`${item.kind} ${item.id}: ${item.version.from ?? "(new)"} -> ${item.version.to}${item.releaseDate ? ` (released ${item.releaseDate})` : ""}`);
    renderLists(item);
    if (item.clearedPrerelease) out(`  pre-release ${item.clearedPrerelease} cleared`);
  }
}

function renderResolution(r: Resolution, explain: boolean): void {
  out(`${r.engineId} ${r.version}${r.channel === "prerelease" ? " (pre-release)" : ""}: ${platformKey(r.entry)}`);
  out(`url     ${r.url}`);
  out(`size    ${r.entry.size}`);
  out(`sha256  ${r.entry.sha256}`);
  if (r.runtime) out(`runtime ${r.runtime.id} ${r.runtime.version}: ${r.runtime.url} (${r.runtime.size} bytes, sha256 ${r.runtime.sha256})`);
  if (explain) for (const reason of r.reasons) out(`  ${reason}`);
}

// Positional options: `update --version <v>` is the engine version, not the program's `--version`.
const program = createProgram("engine-registry", "Maintains engines.json and resolves, downloads and installs .baiengine packages as the app does.", "0.1.0").enablePositionalOptions();

common(program.command("update"))
  .description("record a version's packages (every {id}-{v}-*.baiengine in the folder, verified) in engines.json, or with --runtime a runtime's .bairuntime packs in runtimes[]")
  .option("--engine <id>", "engine id")
  .option("--runtime <id>", "runtime id (cuda13-runtime): publish {id}-{v}-*.bairuntime packs instead of engine packages")
  .requiredOption("--version <v>", "engine version, or the runtime's toolkit version")
  .requiredOption("--packages-dir <dir>", "folder with the packages (artifact subfolders are searched too)")
  .option("--prerelease", "publish under engines[].prerelease; stable users keep latestVersion and packages")
  .option("--allow-downgrade", "accept a version lower than the current one")
  .option("--name <name>", "engine or runtime name (new ones without a profile)")
  .option("--description <text>", "engine or runtime description")
  .option("--dry-run", "print what would change, write nothing")
  .option("--jobs <n>", "packages verified at once (default: cores)", parsePositiveInt("--jobs"))
  .action(async (opts) => {
    if ((opts.engine === undefined) === (opts.runtime === undefined)) throw new UsageError("update needs exactly one of --engine <id> and --runtime <id>");
    if (opts.runtime !== undefined && opts.prerelease) throw new UsageError("--prerelease is for engines; runtimes have one latestVersion");
    await requirePath(opts.packagesDir, "folder", "--packages-dir");
    const reporter = reporterFor(opts);
    const common = {
      registryFile: opts.registry,
      packagesDir: opts.packagesDir,
      version: opts.version,
      allowDowngrade: Boolean(opts.allowDowngrade),
      dryRun: Boolean(opts.dryRun),
      ...(opts.name !== undefined ? { name: opts.name } : {}),
      ...(opts.description !== undefined ? { description: opts.description } : {}),
      ...(opts.jobs ? { concurrency: opts.jobs } : {}),
    };
    if (opts.runtime !== undefined) {
      const result = await applyRuntimeUpdate({ ...common, runtimeId: opts.runtime }, { reporter });
      reporter.stop();
      if (opts.json) printJson(result);
      else renderRuntimeChanges(result.changes, result.written, result.dryRun);
      return;
    }
    const result = await applyUpdate({ ...common, engineId: opts.engine, prerelease: Boolean(opts.prerelease) }, { reporter });
    reporter.stop();
    if (opts.json) printJson(result);
    else {
      renderRenames(result.renames, result.dryRun);
      renderChanges(result.changes, result.written, result.dryRun);
    }
  });

common(program.command("name-packages"))
  .description("rename a version's packages in the folder to the spelling the index uses (darwin-arm64 or macos-aarch64); run before uploading them")
  .requiredOption("--engine <id>", "engine id")
  .requiredOption("--version <v>", "engine version")
  .requiredOption("--packages-dir <dir>", "folder with the packages")
  .option("--dry-run", "print the renames, rename nothing")
  .action(async (opts) => {
    const result = await namePackagesLikeIndex({ registryFile: opts.registry, packagesDir: opts.packagesDir, engineId: opts.engine, version: opts.version, dryRun: Boolean(opts.dryRun) });
    if (opts.json) printJson(result);
    else if (result.renames.length === 0) out(`every ${opts.engine} ${opts.version} package is already spelled the index's way (${result.style})`);
    else renderRenames(result.renames, Boolean(opts.dryRun));
  });

common(program.command("export"))
  .description("write the index in another registry's format: packages-json is the Backend.AI GO app's live packages.json")
  .requiredOption("--format <format>", "packages-json")
  .option("--out <file>", "write here (atomically) instead of printing")
  .action(async (opts) => {
    if (opts.format !== "packages-json") throw new UsageError(`--format ${opts.format} is not a known format`, "use --format packages-json");
    const result = await exportPackagesJson({ registryFile: opts.registry, ...(opts.out !== undefined ? { out: opts.out } : {}) });
    for (const note of result.notes) log.warn(note);
    if (opts.out === undefined) process.stdout.write(result.text);
    else if (opts.json) printJson({ out: opts.out, engines: result.engines, notes: result.notes });
    else out(`${opts.out}: ${result.engines} engine(s) from ${opts.registry}`);
  });

program
  .command("migrate")
  .description("bring the app's packages.json into engines.json (created, or merged like update: never lowers a published version)")
  .requiredOption("--from <file>", "the app's packages.json")
  .option("--to <file>", "engines.json to create or merge into", "./engines.json")
  .option("--allow-downgrade", "accept versions below the index's")
  .option("--dry-run", "print what would change, write nothing")
  .option("--json", "print one JSON document on stdout")
  .action(async (opts) => {
    const result = await applyMigrate({ from: opts.from, to: opts.to, allowDowngrade: Boolean(opts.allowDowngrade), dryRun: Boolean(opts.dryRun) });
    if (opts.json) printJson(result);
    else renderMigrate(result.changes, opts.to, result.written, result.dryRun);
  });

common(program.command("validate"))
  .description("check engines.json (schema and cross-field rules), optionally the package files and the URLs")
  .option("--packages-dir <dir>", "also check every listed file is there with its size and sha256")
  .option("--check-urls", "also HEAD every resolved URL (following redirects)")
  .action(async (opts) => {
    if (opts.packagesDir) await requirePath(opts.packagesDir, "folder", "--packages-dir");
    const { engines, problems } = await validateIndexFile(opts.registry, { packagesDir: opts.packagesDir, checkUrls: Boolean(opts.checkUrls) });
    if (opts.json) printJson({ ok: problems.length === 0, engines, problems });
    else if (problems.length === 0) out(`${opts.registry}: valid (${engines} engine(s))`);
    else for (const p of problems) log.error(`${p.where}: ${p.message}`);
    if (problems.length > 0) process.exitCode = 1;
  });

platformOptions(common(program.command("resolve")))
  .description("print the URL, size and sha256 of an engine's package for a platform (default: this host, explained)")
  .requiredOption("--engine <id>", "engine id")
  .option("--engines-dir <dir>", `engines folder: the index cache and remembered trust (default: ${defaultEnginesDir()})`)
  .option("--trust <root.json>", "the registry's root.json: verify its signed metadata (remembered for this registry)")
  .option("--timeout <seconds>", "network timeout per request", parsePositiveInt("--timeout"))
  .action(async (opts) => {
    const index = await loadFor(opts);
    let resolution: Resolution;
    try {
      resolution = resolvePackage(index.registry, opts.engine, await target(opts), { prerelease: Boolean(opts.prerelease), ...(opts.baseUrl ? { baseUrl: String(opts.baseUrl) } : {}) });
    } catch (error) {
      // --json readers get the reasons as data too; the error line still goes to stderr.
      if (opts.json && error instanceof NoPackageFitsError) printJson({ engineId: opts.engine, entry: null, reasons: error.reasons });
      throw error;
    }
    if (opts.json) printJson({ ...resolution, platform: platformKey(resolution.entry) });
    else renderResolution(resolution, true);
  });

/** Warnings of the index and metadata loading (an offline cache, a kept root) on stderr. */
const warnings = { log: (level: string, message: string) => (level === "warn" ? log.warn(message) : undefined) };

/** The index `--registry` names (a path or a URL), verified against its signed metadata when trust is configured. */
async function loadFor(opts: Record<string, unknown>, metadataUrl?: string): Promise<LoadedRegistry> {
  return loadRegistry({
    registry: String(opts["registry"]),
    enginesDir: resolvePath(String(opts["enginesDir"] ?? defaultEnginesDir())),
    ...(opts["trust"] !== undefined ? { trust: String(opts["trust"]) } : {}),
    ...(opts["timeout"] ? { timeoutMs: Number(opts["timeout"]) * 1000 } : {}),
    ...(metadataUrl ? { metadataUrl } : {}),
    reporter: warnings,
  });
}

function show(opts: { json?: boolean }, result: Rendered): void {
  for (const w of result.warnings ?? []) log.warn(w);
  if (opts.json) printJson(result.json);
  else for (const line of result.lines) out(line);
}

/** What `install` was asked for, planned: an engine package (with the runtime it needs) or a runtime pack alone. */
type InstallRequest = { kind: "engine"; plan: InstallPlan; resolution?: Resolution } | { kind: "runtime"; plan: RuntimeInstallPlan };

async function planInstallRequest(file: string | undefined, opts: Record<string, unknown>, enginesDir: string): Promise<InstallRequest> {
  const force = Boolean(opts["force"]);
  const baseUrl = opts["baseUrl"] ? { baseUrl: String(opts["baseUrl"]) } : {};
  if (file !== undefined) {
    await requirePath(file, "file", "the package file");
    if (file.endsWith(RUNTIME_EXTENSION)) return { kind: "runtime", plan: planRuntimeFileInstall(resolvePath(file), enginesDir, { force }) };
    return { kind: "engine", plan: planFileInstall(resolvePath(file), enginesDir, { force }) };
  }
  const index = await loadFor(opts);
  if (index.trusted) {
    const planned = await planFromIndex(index, opts, enginesDir, force, baseUrl);
    return { ...planned, plan: await bindToSignedTargets(planned.plan, index.trusted) } as InstallRequest;
  }
  return planFromIndex(index, opts, enginesDir, force, baseUrl);
}

async function planFromIndex(index: LoadedRegistry, opts: Record<string, unknown>, enginesDir: string, force: boolean, baseUrl: { baseUrl?: string }): Promise<InstallRequest> {
  if (opts["runtime"] !== undefined) {
    const asked = opts["os"] === undefined && opts["arch"] === undefined ? null : await target(opts as { os?: string; arch?: string });
    const platform: { os: Os; arch: Arch } =
      asked?.request ? { os: asked.request.os, arch: asked.request.arch } : requireHostPlatform("pass --os and --arch to install a runtime for another platform");
    return { kind: "runtime", plan: planIndexedRuntimeInstall(index.registry, String(opts["runtime"]), platform, enginesDir, { force, ...baseUrl }) };
  }
  const resolution = resolvePackage(index.registry, String(opts["engine"]), await target(opts as { os?: string; arch?: string; accel?: string }), { prerelease: Boolean(opts["prerelease"]), ...baseUrl });
  const runtimeId = resolution.entry.runtime;
  // The runtime the index names for the package (the manifest's own edge is checked after extraction).
  const runtime = runtimeId === undefined || !(index.registry.runtimes ?? []).some((r) => r.id === runtimeId) ? null : planIndexedRuntimeInstall(index.registry, runtimeId, resolution.entry, enginesDir, baseUrl);
  return { kind: "engine", plan: planResolvedInstall(resolution, enginesDir, { force, runtime }), resolution };
}

function renderRuntimeInstall(r: RuntimeInstallResult): string {
  return `${r.alreadyInstalled ? "already installed" : "installed"}: runtime ${r.runtimeId} ${r.version} ${r.platform} -> ${r.dir}${r.repaired ? ` (replacing a damaged copy: ${r.repaired})` : ""}`;
}

function renderInstall(result: InstallResult): void {
  out(`${result.alreadyInstalled ? "already installed" : "installed"}: ${result.engineId} ${result.version} -> ${result.dir}${result.forcedRequirements ? ` (forced: ${result.forcedRequirements.join("; ")})` : ""}`);
  if (result.runtime) {
    const { links, install } = result.runtime;
    if (install) out(`  ${renderRuntimeInstall(install)}`);
    out(`  runtime: ${result.runtime.id} ${result.runtime.version} (${links.linked} hard-linked, ${links.copied} copied into ${join(result.dir, links.folder)})`);
  }
  if (result.devices) out(result.devices.ran ? `  device: ${result.devices.device}` : `  device probe skipped: ${result.devices.reason}`);
}

platformOptions(common(program.command("install")))
  .description("download, check and install a registry package (or a local .baiengine file) into the engines folder, with the runtime pack it needs")
  .argument("[file]", "a local .baiengine (or .bairuntime) file to install instead of a registry package")
  .option("--engine <id>", "engine id")
  .option("--runtime <id>", "install a runtime pack of the index's runtimes[] alone (for --os/--arch, else this host)")
  .option("--engines-dir <dir>", `engines folder (default: ${defaultEnginesDir()})`)
  .option("--force", "replace an installed copy of that platform, and install even when this host does not meet the package's requirements")
  .option("--retries <n>", "retries in a row of download attempts that receive nothing (N + 1 attempts before giving up)", parsePositiveInt("--retries"))
  .option("--timeout <seconds>", "network timeout per request", parsePositiveInt("--timeout"))
  .option("--trust <root.json>", "the registry's root.json: install only what its keys signed (remembered for this registry)")
  .option("--dry-run", "print the plan (source, destination, lock), change nothing")
  .action(async (file: string | undefined, opts) => {
    if ([file, opts.engine, opts.runtime].filter((x) => x !== undefined).length !== 1) {
      throw new UsageError("install needs exactly one of --engine <id>, --runtime <id> or a <file.baiengine|file.bairuntime>");
    }
    if (opts.runtime !== undefined && (opts.accel !== undefined || opts.prerelease)) {
      throw new UsageError(`${opts.accel !== undefined ? "--accel" : "--prerelease"} chooses an engine package; a runtime pack has one latest version per --os/--arch`, `drop it: install --runtime ${opts.runtime} [--os <os> --arch <arch>]`);
    }
    const enginesDir = resolvePath(opts.enginesDir ?? defaultEnginesDir());
    const request = await planInstallRequest(file, opts, enginesDir);
    if (opts.dryRun) {
      if (opts.json) printJson(request.plan);
      else for (const line of request.kind === "engine" ? describeInstallPlan(request.plan) : describeRuntimePlan(request.plan)) out(line);
      return;
    }
    const reporter = reporterFor(opts);
    const deps = { verifier: packageVerifier, reporter };
    const tuning = { ...(opts.retries ? { retries: opts.retries } : {}), ...(opts.timeout ? { timeoutMs: opts.timeout * 1000 } : {}) };
    if (request.kind === "runtime") {
      const result = await applyRuntimeInstall(request.plan, deps, tuning);
      reporter.stop();
      if (opts.json) printJson(result);
      else out(renderRuntimeInstall(result));
      return;
    }
    const result = await applyInstall(request.plan, deps, tuning);
    reporter.stop();
    const resolution = request.resolution;
    if (opts.json) printJson({ ...result, ...(resolution ? { url: resolution.url, reasons: resolution.reasons } : {}) });
    else renderInstall(result);
  });

common(program.command("import"))
  .description("install every .baiengine in the incoming folder, moving each to incoming/installed or incoming/rejected")
  .option("--incoming <dir>", "incoming folder (default: <engines-dir>/incoming)")
  .option("--engines-dir <dir>", `engines folder (default: ${defaultEnginesDir()})`)
  .option("--trust <root.json>", "the registry's root.json: import only files its metadata in <incoming>/metadata/ signed (remembered for --registry)")
  .action(async (opts) => {
    const enginesDir = resolvePath(opts.enginesDir ?? defaultEnginesDir());
    // The default incoming folder may be absent (nothing to import); one named by hand must exist.
    if (opts.incoming !== undefined) await requirePath(opts.incoming, "folder", "--incoming");
    const incoming = resolvePath(opts.incoming ?? `${enginesDir}/incoming`);
    const trusted = await registryTrust({ registry: opts.registry, enginesDir, ...(opts.trust ? { trust: opts.trust } : {}), metadataUrl: `${pathToFileURL(join(incoming, "metadata")).href}/`, reporter: warnings });
    const reporter = reporterFor(opts);
    const prepare = trusted ? { prepare: <T extends InstallTarget>(plan: T) => bindToSignedTargets(plan, trusted) } : {};
    const outcomes = await importIncoming(incoming, enginesDir, { verifier: packageVerifier, reporter }, prepare);
    reporter.stop();
    if (opts.json) printJson(outcomes);
    else if (outcomes.length === 0) out("nothing to import");
    else for (const o of outcomes) out(o.status === "installed" ? `installed ${o.file} -> ${o.result?.dir}` : `rejected ${o.file}: ${o.reason}`);
    if (outcomes.some((o) => o.status === "rejected")) process.exitCode = 1;
  });

common(program.command("list"))
  .description("engines, versions and platforms as a table")
  .option("--engines-dir <dir>", `engines folder: the index cache and remembered trust (default: ${defaultEnginesDir()})`)
  .option("--trust <root.json>", "the registry's root.json: verify its signed metadata (remembered for this registry)")
  .action(async (opts) => {
    const rows = listRows((await loadFor(opts)).registry);
    if (opts.json) printJson(rows);
    else out(formatTable(["ENGINE", "CHANNEL", "VERSION", "PLATFORM", "SIZE", "FILE"], rows.map((r) => [r.engine, r.channel, r.version, r.platform, String(r.size), r.filename])));
  });

common(program.command("set-base-url"))
  .description("point the registry at another host ({baseUrl}/{tag}/{filename}), e.g. a CDN")
  .argument("<url>", "http(s) URL without a trailing slash")
  .action(async (url: string, opts) => {
    const { written, value } = await modifyIndex(opts.registry, (index) => {
      const plan = planSetBaseUrl(index.registry, url, new Date());
      return { registry: plan.changed ? plan.registry : null, value: plan };
    });
    if (opts.json) printJson({ from: value.from, to: url, written });
    else out(written ? `baseUrl ${value.from} -> ${url}` : `baseUrl already ${url}`);
  });

common(program.command("init"))
  .description("create a new registry repository: empty engines.json, release workflow, README")
  .argument("<dir>", "folder of the new repository")
  .option("--base-url <url>", "download base URL")
  .action(async (dir: string, opts) => {
    const files = await initRepository(dir, opts.baseUrl ? { baseUrl: opts.baseUrl } : {});
    if (opts.json) printJson({ dir, files });
    else out(`created ${dir}: ${files.join(", ")}`);
  });

const expires = (role: "root" | "targets" | "snapshot" | "timestamp") =>
  [`--${role}-expires <duration>`, `${role} expiry (default ${DEFAULT_EXPIRY[role].days}d: ${DEFAULT_EXPIRY[role].why})`, parseDuration(`--${role}-expires`)] as const;

common(program.command("sign"))
  .description("sign the index (after update/export): new targets listing engines.json, packages.json and every package, then snapshot and timestamp")
  .option("--metadata-dir <dir>", "the TUF metadata folder (default: metadata/ beside --registry)")
  .option("--keys-dir <dir>", "folder of <role>-*.pem keys (or set BAIENGINE_TUF_TARGETS_KEY, _SNAPSHOT_KEY, _TIMESTAMP_KEY)")
  .option(...expires("targets"))
  .option(...expires("snapshot"))
  .option(...expires("timestamp"))
  .action(async (opts) => show(opts, await (await import("../commands/sign.js")).signCommand(opts)));

const trust = program.command("trust").description("the registry's TUF keys and metadata: init, timestamp, rotate");

trust
  .command("init")
  .description("make the registry's Ed25519 keys (PKCS#8 PEM, mode 0600, never printed) and root.json version 1")
  .option("--metadata-dir <dir>", "the TUF metadata folder", "./metadata")
  .requiredOption("--keys-dir <dir>", "where the private keys are written (keep root keys offline)")
  .option("--root-keys <n>", "root keys to make", parsePositiveInt("--root-keys"))
  .option("--root-threshold <n>", "root signatures needed", parsePositiveInt("--root-threshold"))
  .option(...expires("root"))
  .option("--json", "print one JSON document on stdout")
  .action(async (opts) => show(opts, await (await import("../commands/trust-init.js")).trustInitCommand(opts)));

trust
  .command("timestamp")
  .description("re-sign the timestamp (scheduled), and the snapshot when it expires within three days and its key is given")
  .option("--metadata-dir <dir>", "the TUF metadata folder", "./metadata")
  .option("--keys-dir <dir>", "folder of <role>-*.pem keys (or set BAIENGINE_TUF_TIMESTAMP_KEY, _SNAPSHOT_KEY)")
  .option(...expires("snapshot"))
  .option(...expires("timestamp"))
  .option("--json", "print one JSON document on stdout")
  .action(async (opts) => show(opts, await (await import("../commands/trust-timestamp.js")).trustTimestampCommand(opts)));

trust
  .command("rotate")
  .description("write root N+1 with fresh keys for a role, signed by the current root keys (and the new ones for root)")
  .option("--metadata-dir <dir>", "the TUF metadata folder", "./metadata")
  .requiredOption("--keys-dir <dir>", "where the new keys are written; the replaced ones move to retired/ (current root keys are read here, or from BAIENGINE_TUF_ROOT_KEY)")
  .option("--role <role>", "root, targets, snapshot or timestamp", "root")
  .option("--root-keys <n>", "root keys to make (root rotation)", parsePositiveInt("--root-keys"))
  .option("--root-threshold <n>", "root signatures needed (root rotation)", parsePositiveInt("--root-threshold"))
  .option(...expires("root"))
  .option("--json", "print one JSON document on stdout")
  .action(async (opts) => show(opts, await (await import("../commands/trust-rotate.js")).trustRotateCommand(opts)));

await runCli(program);
