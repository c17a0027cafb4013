import { createProgram, parsePositiveInt, programVersion, type Rendered, renderResult, runCli, withReporter } from "@baiengine/cli-kit";
import { ARCH_VALUES, OS_VALUES } from "@baiengine/schema";
import type { Command } from "commander";
import { defaultEnginesDir } from "../install/engines-dir.js";
import { parseMirrorUrl } from "./mirror-url.js";
import { declareInstalledCommands } from "./installed-commands.js";
import { declareTrustCommands } from "./trust-commands.js";

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

function platformOptions(command: Command): Command {
  return command
    .option("--os <os>", `target OS (${OS_VALUES.join(", ")}); default: this host`)
    .option("--arch <arch>", `target arch (${ARCH_VALUES.join(", ")}); default: this host`)
    .option("--accel <token>", "accelerator token (cpu, metal, cuda12, rocm6, vulkan, ...) or family (cuda); default: best for this host")
    .option("--prerelease", "use the engine's pre-release instead of its stable version")
    .option("--channel <name>", "take the newest version of this release channel of the index's history (default: stable)")
    .option("--base-url <url>", "download from this mirror instead of the registry's baseUrl (http(s):// or file://)", parseMirrorUrl);
}

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
  .option("--packages-dir <dir>", "also check every listed file is there with its size and sha256 (repeat for engines and runtimes kept apart)", (dir: string, dirs: string[] = []) => [...dirs, dir])
  .option("--check-urls", "also HEAD every resolved URL (following redirects; a ranged GET where the host refuses HEAD), through HTTPS_PROXY/HTTP_PROXY unless NO_PROXY")
  .option("--auth-token <token>", "token for a private mirror, sent as Authorization: Bearer to the package's host only (or set BAIENGINE_AUTH_TOKEN); never printed")
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
  .option("--max-retry-wait <seconds>", "longest Retry-After (HTTP 429/503) to wait for before retrying; a server asking longer fails the install at once (default 300)", parsePositiveInt("--max-retry-wait"))
  .option("--auth-token <token>", "token for a private mirror, sent as Authorization: Bearer to the package's host only (or set BAIENGINE_AUTH_TOKEN; user:password in the base URL is the other way); never printed or stored")
  .option("--dry-run", "print the plan (source, destination, lock), change nothing")
  .action(async (file: string | undefined, opts) => show(opts)(await withReporter(opts, async (reporter) => (await import("../commands/install.js")).installCommand(file, opts, reporter))));

common(program.command("import"))
  .description("install every .baiengine in the incoming folder, moving each to incoming/installed or incoming/rejected")
  .option("--incoming <dir>", "incoming folder (default: <engines-dir>/incoming)")
  .option("--settle <seconds>", "a file still open for writing, or whose size or time changes within this time, is left for the next run (default 2)", parsePositiveInt("--settle"))
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

declareTrustCommands(program, common, show);

declareInstalledCommands(program, common, show);

await runCli(program);
