import { type Rendered, UsageError, withReporter } from "@baiengine/cli-kit";
import { ARCH_VALUES, OS_VALUES } from "@baiengine/schema";
import type { Command } from "commander";
import { defaultEnginesDir } from "../install/engines-dir.js";

/** A count that may be 0 (`prune --keep 0`). */
const parseCount = (flag: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} expects a whole number (0 or more), got ${JSON.stringify(value)}`);
  return n;
};

/** Flags of the commands that manage the engines folder (the app's side). */
function enginesFolder(command: Command): Command {
  return command.option("--engines-dir <dir>", `engines folder (default: ${defaultEnginesDir()})`).option("--json", "print one JSON document on stdout");
}

const thisPlatform = (command: Command) =>
  command.option("--os <os>", `the active version of which OS (${OS_VALUES.join(", ")}); default: this host`).option("--arch <arch>", `and arch (${ARCH_VALUES.join(", ")})`);

/**
 * Declares `yank`/`unyank` (the index's history) and the commands that manage the engines folder
 * (`installed`, `use`, `rollback`, `remove`, `prune`); each command's module is imported only when it runs.
 */
export function declareInstalledCommands(program: Command, common: (command: Command) => Command, show: (opts: { json?: boolean }) => (result: Rendered) => void): void {
  common(program.command("yank"))
    .description("mark a published version as not to be installed: resolve passes it over; it installs only as <engine>@<version>")
    .argument("<engine@version>", "the version, e.g. llama-cpp@b4618")
    .requiredOption("--reason <text>", "why (shown to whoever installs it anyway)")
    .action(async (ref: string, opts) => show(opts)(await (await import("../commands/yank.js")).yankCommand(ref, opts, true)));

  common(program.command("unyank"))
    .description("undo yank: the version is chosen again")
    .argument("<engine@version>", "the version, e.g. llama-cpp@b4618")
    .action(async (ref: string, opts) => show(opts)(await (await import("../commands/yank.js")).yankCommand(ref, opts, false)));

  enginesFolder(program.command("installed"))
    .description("every installed engine version and platform, read from disk: size, runtime pack, active; newer and yanked in the index")
    .option("--registry <path>", "the index to compare with (NEWER column, yanked versions): engines.json or packages.json, a path or its http(s):// or file:// URL")
    .option("--trust <root.json>", "the registry's root.json, when it is signed (remembered for this registry)")
    .action(async (opts) => show(opts)(await (await import("../commands/installed.js")).installedCommand(opts)));

  thisPlatform(enginesFolder(program.command("use")))
    .description("make an installed version the one the app runs, and pin it (updates then leave it active); <engine>@latest unpins")
    .argument("<engine@version>", "e.g. llama-cpp@b4618, or llama-cpp@latest")
    .option("--accel <token>", "the installed platform's accelerator (cpu, cuda13, ...) when the version has several")
    .option("--registry <path>", "engines.json whose history @latest follows: installed versions it lists as yanked or outside the stable channel are passed over")
    .option("--dry-run", "print what would change, change nothing")
    .action(async (ref: string, opts) => show(opts)(await withReporter(opts, async (reporter) => (await import("../commands/use.js")).useCommand(ref, opts, reporter))));

  thisPlatform(enginesFolder(program.command("rollback")))
    .description("go back to the previously active version (pinned, like use); to run a given version: use <engine>@<version>")
    .argument("<engine>", "engine id, without a version")
    .option("--dry-run", "print what would change, change nothing")
    .action(async (engine: string, opts) => show(opts)(await withReporter(opts, async (reporter) => (await import("../commands/rollback.js")).rollbackCommand(engine, opts, reporter))));

  enginesFolder(program.command("remove"))
    .description("remove an installed version (every platform, or --accel's), its damaged platform folders, and the runtime packs no installed engine links any more")
    .argument("<engine@version>", "e.g. llama-cpp@b4618")
    .option("--accel <token>", "only this platform's folder (cpu, cuda13, ...)")
    .option("--force", "remove the active version too; the previously active one is activated")
    .option("--dry-run", "print what would be removed and the bytes it would free, change nothing")
    .action(async (ref: string, opts) => show(opts)(await withReporter(opts, async (reporter) => (await import("../commands/remove.js")).removeCommand(ref, opts, reporter))));

  enginesFolder(program.command("prune"))
    .description("remove all but the active (pinned) and the N newest other versions of each engine and platform, damaged folders and leftovers of interrupted installs, and the runtime packs left unlinked")
    .option("--keep <n>", "older versions to keep (default: the active record's keep, else 2)", parseCount("--keep"))
    .option("--save", "record --keep N as the default of later prunes (the active record's keep)")
    .option("--engine <id>", "only this engine")
    .option("--dry-run", "print what would be removed and the bytes it would free, change nothing")
    .action(async (opts) => show(opts)(await withReporter(opts, async (reporter) => (await import("../commands/prune.js")).pruneCommand(opts, reporter))));
}
