import { createProgram, parsePositiveInt, programVersion, type Rendered, renderResult, runCli, UsageError, withReporter } from "@baiengine/cli-kit";
import { DEFAULT_EXPIRY, parseDuration } from "../trust/expiry.js";
import type { RoleName } from "../trust/role-keys.js";
import { ARCH_VALUES, OS_VALUES } from "@baiengine/schema";
import type { Command } from "commander";
import { defaultEnginesDir } from "../install/engines-dir.js";
import { parseMirrorUrl } from "./mirror-url.js";

/**
 * Declares the commands and their flags; each command's module (src/commands/) is imported only
 * when that command runs, computes what to show, and this file renders it.
 */
function common(command: Command): Command {
  return command.option("--registry <path>", "engines.json to read or write (commands that only read it also take its http(s):// or file:// URL)", "./engines.json").option("--json", "print one JSON document on stdout");
}

/** The flags of the commands that read the index as the app does: from a path or its URL, with trust. */
function indexReading(command: Command, what: string): Command {
  return command
    .option("--engines-dir <dir>", `engines folder: the cached index and the remembered trust (default: ${defaultEnginesDir()})`)
    .option("--trust <root.json>", `the registry's root.json: ${what} (remembered for this registry)`);
}

/** `--<role>-expires <duration>`, its default and the reason for it in the help. */
function expires(command: Command, role: RoleName): Command {
  return command.option(`--${role}-expires <duration>`, `${role} expiry (default ${DEFAULT_EXPIRY[role].days}d: ${DEFAULT_EXPIRY[role].why})`, parseDuration(`--${role}-expires`));
}

function platformOptions(command: Command): Command {
  return command
    .option("--os <os>", `target OS (${OS_VALUES.join(", ")}); default: this host`)
    .option("--arch <arch>", `target arch (${ARCH_VALUES.join(", ")}); default: this host`)
    .option("--accel <token>", "accelerator token (cpu, metal, cuda12, rocm6, vulkan, ...) or family (cuda); default: best for this host")
    .option("--prerelease", "use the engine's pre-release instead of its stable version")
    .option("--channel <name>", "take the newest version of this release channel of the index's history (default: stable)")
    .option("--base-url <url>", "download from this mirror instead of the registry's baseUrl (http(s):// or file://)", parseMirrorUrl);
}

/** A count that may be 0 (`prune --keep 0`). */
const parseCount = (flag: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} expects a whole number (0 or more), got ${JSON.stringify(value)}`);
  return n;
};

/** Renders what a command returned, as `--json` asks. */
const show = (opts: { json?: boolean }) => (result: Rendered) => renderResult(result, opts);

// Positional options: `update --version <v>` is the engine version, not the program's `--version`.
const program = createProgram("engine-registry", "Maintains engines.json and resolves, downloads and installs .baiengine packages as the app does.", programVersion(import.meta.url)).enablePositionalOptions();

common(program.command("update"))
  .description("record a version's packages (every {id}-{v}-*.baiengine in the folder, verified) in engines.json, or with --runtime a runtime's .bairuntime packs in runtimes[]")
  .option("--engine <id>", "engine id")
  .option("--runtime <id>", "runtime id (cuda13-runtime): publish {id}-{v}-*.bairuntime packs instead of engine packages")
  .requiredOption("--version <v>", "engine version, or the runtime's toolkit version")
  .requiredOption("--packages-dir <dir>", "folder with the packages (artifact subfolders are searched too)")
  .option("--prerelease", "publish under engines[].prerelease; stable users keep latestVersion and packages")
  .option("--channel <name>", "publish into a release channel of the history (beta, nightly): engines[].versions[] only")
  .option("--allow-downgrade", "accept a version lower than the current one")
  .option("--name <name>", "engine or runtime name (new ones without a profile)")
  .option("--description <text>", "engine or runtime description")
  .option("--dry-run", "print what would change, write nothing")
  .option("--jobs <n>", "packages verified at once (default: cores)", parsePositiveInt("--jobs"))
  .action(async (opts) => show(opts)(await withReporter(opts, async (reporter) => (await import("../commands/update.js")).updateCommand(opts, reporter))));

common(program.command("name-packages"))
  .description("rename a version's packages in the folder to the spelling the index uses (darwin-arm64 or macos-aarch64); run before uploading them")
  .requiredOption("--engine <id>", "engine id")
  .requiredOption("--version <v>", "engine version")
  .requiredOption("--packages-dir <dir>", "folder with the packages")
  .option("--dry-run", "print the renames, rename nothing")
  .action(async (opts) => show(opts)(await (await import("../commands/name-packages.js")).namePackagesCommand(opts)));

common(program.command("export"))
  .description("write the index in another registry's format: packages-json is the Backend.AI GO app's live packages.json")
  .requiredOption("--format <format>", "packages-json")
  .option("--out <file>", "write here (atomically) instead of printing")
  .action(async (opts) => show(opts)(await (await import("../commands/export.js")).exportCommand(opts)));

program
  .command("migrate")
  .description("bring the app's packages.json into engines.json (created, or merged like update: never lowers a published version)")
  .requiredOption("--from <file>", "the app's packages.json")
  .option("--to <file>", "engines.json to create or merge into", "./engines.json")
  .option("--allow-downgrade", "accept versions below the index's")
  .option("--dry-run", "print what would change, write nothing")
  .option("--json", "print one JSON document on stdout")
  .action(async (opts) => show(opts)(await (await import("../commands/migrate.js")).migrateCommand(opts)));

common(program.command("validate"))
  .description("check engines.json (schema and cross-field rules), optionally the package files and the URLs")
  .option("--packages-dir <dir>", "also check every listed file is there with its size and sha256")
  .option("--check-urls", "also HEAD every resolved URL (following redirects)")
  .action(async (opts) => show(opts)(await (await import("../commands/validate.js")).validateCommand(opts)));

indexReading(platformOptions(common(program.command("resolve"))), "verify its signed metadata and that the package is signed")
  .description("print the URL, size and sha256 of an engine's package for a platform (default: this host, explained)")
  .requiredOption("--engine <id[@version]>", "engine id, or id@version for that version of the index's history")
  .option("--timeout <seconds>", "network timeout per request", parsePositiveInt("--timeout"))
  .action(async (opts) => show(opts)(await (await import("../commands/resolve.js")).resolveCommand(opts)));

platformOptions(common(program.command("install")))
  .description("download, check and install a registry package (or a local .baiengine file) into the engines folder, with the runtime pack it needs")
  .argument("[file]", "a local .baiengine (or .bairuntime) file to install instead of a registry package")
  .option("--engine <id[@version]>", "engine id, or id@version for that version of the index's history")
  .option("--runtime <id>", "install a runtime pack of the index's runtimes[] alone (for --os/--arch, else this host)")
  .option("--engines-dir <dir>", `engines folder (default: ${defaultEnginesDir()})`)
  .option("--trust <root.json>", "the registry's root.json: install only what its keys signed (remembered for this registry)")
  .option("--force", "replace an installed copy of that platform, and install even when this host does not meet the package's requirements")
  .option("--retries <n>", "retries in a row of download attempts that receive nothing (N + 1 attempts before giving up)", parsePositiveInt("--retries"))
  .option("--timeout <seconds>", "network timeout per request", parsePositiveInt("--timeout"))
  .option("--dry-run", "print the plan (source, destination, lock), change nothing")
  .action(async (file: string | undefined, opts) => show(opts)(await withReporter(opts, async (reporter) => (await import("../commands/install.js")).installCommand(file, opts, reporter))));

common(program.command("import"))
  .description("install every .baiengine in the incoming folder, moving each to incoming/installed or incoming/rejected")
  .option("--incoming <dir>", "incoming folder (default: <engines-dir>/incoming)")
  .option("--engines-dir <dir>", `engines folder (default: ${defaultEnginesDir()})`)
  .option("--trust <root.json>", "the root.json of --registry: import only files signed by the metadata in <incoming>/metadata/ (remembered for that registry)")
  .action(async (opts) => show(opts)(await withReporter(opts, async (reporter) => (await import("../commands/import.js")).importCommand(opts, reporter))));

indexReading(common(program.command("list")), "verify its signed metadata")
  .description("engines, versions and platforms as a table")
  .option("--timeout <seconds>", "network timeout per request", parsePositiveInt("--timeout"))
  .action(async (opts) => show(opts)(await (await import("../commands/list.js")).listCommand(opts)));

common(program.command("set-base-url"))
  .description("point the registry at another host ({baseUrl}/{tag}/{filename}), e.g. a CDN")
  .argument("<url>", "http(s) URL without a trailing slash")
  .action(async (url: string, opts) => show(opts)(await (await import("../commands/set-base-url.js")).setBaseUrlCommand(url, opts)));

common(program.command("init"))
  .description("create a new registry repository: empty engines.json, release workflow, README")
  .argument("<dir>", "folder of the new repository")
  .option("--base-url <url>", "download base URL")
  .action(async (dir: string, opts) => show(opts)(await (await import("../commands/init.js")).initCommand(dir, opts)));

expires(expires(expires(common(program.command("sign")), "targets"), "snapshot"), "timestamp")
  .description("sign the index (after update/export): new targets listing engines.json, packages.json and every package, then snapshot, then timestamp")
  .option("--metadata-dir <dir>", "the TUF metadata folder (default: metadata/ beside --registry)")
  .option("--keys-dir <dir>", "folder of <role>-*.pem keys (or set BAIENGINE_TUF_TARGETS_KEY, _SNAPSHOT_KEY, _TIMESTAMP_KEY)")
  .action(async (opts) => show(opts)(await (await import("../commands/sign.js")).signCommand(opts)));

const trust = program.command("trust").description("the registry's TUF keys and metadata: init, timestamp, rotate");

expires(trust.command("init"), "root")
  .description("make the registry's Ed25519 keys (PKCS#8 PEM, mode 0600, never printed) and root.json version 1")
  .option("--metadata-dir <dir>", "the TUF metadata folder", "./metadata")
  .requiredOption("--keys-dir <dir>", "where the private keys are written (keep root keys offline)")
  .option("--root-keys <n>", "root keys to make", parsePositiveInt("--root-keys"))
  .option("--root-threshold <n>", "root signatures needed", parsePositiveInt("--root-threshold"))
  .option("--json", "print one JSON document on stdout")
  .action(async (opts) => show(opts)(await (await import("../commands/trust-init.js")).trustInitCommand(opts)));

expires(expires(trust.command("timestamp"), "snapshot"), "timestamp")
  .description("re-sign the timestamp (scheduled), and the snapshot when it expires within three days and its key is given")
  .option("--metadata-dir <dir>", "the TUF metadata folder", "./metadata")
  .option("--keys-dir <dir>", "folder of <role>-*.pem keys (or set BAIENGINE_TUF_TIMESTAMP_KEY, _SNAPSHOT_KEY)")
  .option("--json", "print one JSON document on stdout")
  .action(async (opts) => show(opts)(await (await import("../commands/trust-timestamp.js")).trustTimestampCommand(opts)));

expires(trust.command("rotate"), "root")
  .description("write root N+1 with fresh keys for a role, signed by the current root keys (and the new ones for root)")
  .option("--metadata-dir <dir>", "the TUF metadata folder", "./metadata")
  .requiredOption("--keys-dir <dir>", "where the new keys go, the replaced ones to retired/; the current root keys are read here or from BAIENGINE_TUF_ROOT_KEY")
  .option("--role <role>", "root, targets, snapshot or timestamp", "root")
  .option("--root-keys <n>", "root keys to make (root rotation)", parsePositiveInt("--root-keys"))
  .option("--root-threshold <n>", "root signatures needed (root rotation)", parsePositiveInt("--root-threshold"))
  .option("--json", "print one JSON document on stdout")
  .action(async (opts) => show(opts)(await (await import("../commands/trust-rotate.js")).trustRotateCommand(opts)));

common(program.command("yank"))
  .description("mark a published version as not to be installed: resolve passes it over; it installs only as <engine>@<version>")
  .argument("<engine@version>", "the version, e.g. llama-cpp@b4618")
  .requiredOption("--reason <text>", "why (shown to whoever installs it anyway)")
  .action(async (ref: string, opts) => show(opts)(await (await import("../commands/yank.js")).yankCommand(ref, opts, true)));

common(program.command("unyank"))
  .description("undo yank: the version is chosen again")
  .argument("<engine@version>", "the version, e.g. llama-cpp@b4618")
  .action(async (ref: string, opts) => show(opts)(await (await import("../commands/yank.js")).yankCommand(ref, opts, false)));

/** Flags of the commands that manage the engines folder (the app's side). */
function enginesFolder(command: Command): Command {
  return command.option("--engines-dir <dir>", `engines folder (default: ${defaultEnginesDir()})`).option("--json", "print one JSON document on stdout");
}

const thisPlatform = (command: Command) =>
  command.option("--os <os>", `the active version of which OS (${OS_VALUES.join(", ")}); default: this host`).option("--arch <arch>", `and arch (${ARCH_VALUES.join(", ")})`);

enginesFolder(program.command("installed"))
  .description("every installed engine version and platform, read from disk: size, runtime pack, active, newer in the index")
  .option("--registry <path>", "engines.json to compare with (NEWER column)")
  .action(async (opts) => show(opts)(await (await import("../commands/installed.js")).installedCommand(opts)));

thisPlatform(enginesFolder(program.command("use")))
  .description("make an installed version the one the app runs, and pin it (updates then leave it active); <engine>@latest unpins")
  .argument("<engine@version>", "e.g. llama-cpp@b4618, or llama-cpp@latest")
  .option("--accel <token>", "the installed platform's accelerator (cpu, cuda13, ...) when the version has several")
  .option("--dry-run", "print what would change, change nothing")
  .action(async (ref: string, opts) => show(opts)(await withReporter(opts, async (reporter) => (await import("../commands/use.js")).useCommand(ref, opts, reporter))));

thisPlatform(enginesFolder(program.command("rollback")))
  .description("go back to the previously active version (pinned, like use)")
  .argument("<engine>", "engine id")
  .option("--dry-run", "print what would change, change nothing")
  .action(async (engine: string, opts) => show(opts)(await withReporter(opts, async (reporter) => (await import("../commands/rollback.js")).rollbackCommand(engine, opts, reporter))));

enginesFolder(program.command("remove"))
  .description("remove an installed version (every platform, or --accel's) and the runtime packs no installed engine links any more")
  .argument("<engine@version>", "e.g. llama-cpp@b4618")
  .option("--accel <token>", "only this platform's folder (cpu, cuda13, ...)")
  .option("--force", "remove the active version too; the previously active one is activated")
  .option("--dry-run", "print what would be removed and the bytes it would free, change nothing")
  .action(async (ref: string, opts) => show(opts)(await withReporter(opts, async (reporter) => (await import("../commands/remove.js")).removeCommand(ref, opts, reporter))));

enginesFolder(program.command("prune"))
  .description("remove all but the active, the pinned and the N newest other versions of each engine and platform, and the runtime packs left unlinked")
  .option("--keep <n>", "older versions to keep (default: the active record's keep, else 2)", parseCount("--keep"))
  .option("--engine <id>", "only this engine")
  .option("--dry-run", "print what would be removed and the bytes it would free, change nothing")
  .action(async (opts) => show(opts)(await withReporter(opts, async (reporter) => (await import("../commands/prune.js")).pruneCommand(opts, reporter))));

await runCli(program);
