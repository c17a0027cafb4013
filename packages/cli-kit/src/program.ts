import { Command, CommanderError, type Option } from "commander";
import { ARCH_VALUES, type Arch, isArch, isOs, OS_VALUES, type Os } from "@baiengine/schema";
import { detectEnvironment } from "./environment.js";
import { CliError, EXIT, errorFacts, UsageError } from "./errors.js";
import { createLogger } from "./logger.js";
import { redactProcessOutput } from "./redact-output.js";

/**
 * A commander program with the ecosystem's conventions: `--help`, `--version`, usage errors exit 2
 * with one line, and no stack trace for anything a user can cause.
 */
export function createProgram(
  name: string,
  description: string,
  version: string,
  options: { versionFlags?: string } = {},
): Command {
  // Tools whose `--version <v>` names an engine version move their own to e.g. "-V, --packer-version".
  return new CliCommand(name)
    .description(description)
    .version(version, options.versionFlags ?? "-V, --version", "print this tool's version")
    .showSuggestionAfterError(true)
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .exitOverride();
}

/** Commander's methods this file overrides or calls; they are not in its typings (commander 14's lib/command.js). */
interface CommanderInternals {
  missingMandatoryOptionValue(option: Option): void;
  unknownOption(flag: string): void;
}

/**
 * Commander checks required options before unknown ones, so a typo of a required flag (`--acel cpu`
 * for `--accel cpu`) was reported as the required flag missing. Here an unknown option on the line
 * is reported first, with commander's suggestion (`Did you mean --accel?`); subcommands are alike.
 */
class CliCommand extends Command {
  override createCommand(name?: string): Command {
    return new CliCommand(name);
  }

  missingMandatoryOptionValue(option: Option): void {
    const internals = Command.prototype as unknown as CommanderInternals;
    // `args` holds the operands, then everything from the first unknown option on.
    const unknown = this.args.find((a) => a.startsWith("-") && a !== "-");
    if (unknown !== undefined) internals.unknownOption.call(this, unknown);
    internals.missingMandatoryOptionValue.call(this, option);
  }
}

/**
 * Runs a CLI to completion and maps every outcome to an exit code: 0 ok, 1 failed, 2 usage. Expected
 * failures print `error: <message>` and the fix; unexpected ones print one line and point at
 * BAIENGINE_DEBUG=1 for the stack. Under `--json` a failure also prints one JSON document on stdout,
 * `{"error": ErrorReport}`: its stable code and facts.
 */
export async function runCli(program: Command, argv: string[] = process.argv): Promise<never> {
  redactProcessOutput();
  const log = createLogger(detectEnvironment());
  let code: number = EXIT.ok;
  try {
    await program.parseAsync(argv);
    code = process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (error) {
    code = exitCodeFor(error, (m, h) => log.error(m, h));
    const report = describeError(error);
    if (report && argv.includes("--json")) printJson({ error: report });
  }
  process.exit(code);
}

/**
 * A failure as data, for `--json`: `code` is stable (CliError.code; `USAGE` for a command line
 * commander refused, `FILE_SYSTEM` for a path the system refused, `INTERNAL` for a bug), `facts` the
 * error's fields (`expected`, `actual`, `findings`, `reasons`, ...; a file-system error's `path`,
 * `syscall` and `errno`).
 */
export interface ErrorReport {
  code: string;
  exitCode: number;
  message: string;
  hint?: string;
  facts: Record<string, unknown>;
}

/** The ErrorReport of an error; null for commander's help and version exits, which are not failures. */
export function describeError(error: unknown): ErrorReport | null {
  if (error instanceof CommanderError) {
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return null;
    return { code: "USAGE", exitCode: EXIT.usage, message: error.message.replace(/^error: /, ""), facts: { commanderCode: error.code } };
  }
  if (error instanceof CliError) return { code: error.code, exitCode: error.exitCode, message: error.message, ...(error.hint ? { hint: error.hint } : {}), facts: errorFacts(error) };
  const system = fileSystemError(error);
  if (system) {
    const e = error as NodeJS.ErrnoException;
    return { code: "FILE_SYSTEM", exitCode: EXIT.failed, message: system.message, hint: system.hint, facts: { path: e.path, syscall: e.syscall, errno: e.code } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: "INTERNAL", exitCode: EXIT.failed, message: `internal error: ${message}`, hint: "this is a bug in baiengine; set BAIENGINE_DEBUG=1 for the stack trace", facts: {} };
}

/** The exit code of an error, after reporting it through `report` (commander reports its own). */
export function exitCodeFor(error: unknown, report: (message: string, hint?: string) => void): number {
  const described = describeError(error);
  if (described === null) return EXIT.ok;
  if (!(error instanceof CommanderError)) report(described.message, described.hint);
  if (described.code === "INTERNAL" && process.env["BAIENGINE_DEBUG"] && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return described.exitCode;
}

/** What each file-system error code means for the path it names (Node's `error.code`, from errno). */
const FS_REASONS: Record<string, string> = {
  ENOENT: "does not exist",
  ENOTDIR: "goes through something that is not a folder",
  EISDIR: "is a folder, not a file",
  EACCES: "is not accessible (permission denied)",
  EPERM: "is not permitted (permission denied, or locked by another program)",
  EEXIST: "already exists",
  ENOTEMPTY: "is a folder that is not empty",
  EROFS: "is on a read-only file system",
  ENOSPC: "cannot be written: the disk is full",
  EDQUOT: "cannot be written: the disk quota is exceeded",
  ELOOP: "has too many levels of symbolic links",
  ENAMETOOLONG: "is too long a name",
  EMFILE: "cannot be opened: too many open files",
};

/**
 * A file-system error about a path the user chose (a missing folder, a file where a folder should be,
 * no permission, a full disk) as one line and a hint; null for anything else. Such errors come from
 * the user's paths or machine, not from a bug.
 */
export function fileSystemError(error: unknown): { message: string; hint: string } | null {
  const e = error as NodeJS.ErrnoException | undefined;
  if (!(e instanceof Error) || typeof e.code !== "string" || typeof e.path !== "string") return null;
  const reason = FS_REASONS[e.code];
  if (!reason) return null;
  const what = e.syscall === "scandir" || e.syscall === "mkdir" || e.syscall === "rmdir" || e.syscall === "opendir" ? "folder" : "path";
  return { message: `${what} ${e.path} ${reason} (${e.syscall ?? "access"}: ${e.code})`, hint: "check the paths given on the command line and their permissions" };
}

/** Parses a positive integer flag value, or throws a UsageError naming the flag. */
export function parsePositiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} expects a positive integer, got ${JSON.stringify(value)}`);
    return n;
  };
}

/**
 * `--os` and `--arch` as the registry names them (`macos`, `aarch64`), each checked when given.
 * Throws UsageError naming the flag, its value and the accepted values.
 */
export function platformFlags(flags: { os?: string | undefined; arch?: string | undefined }): { os?: Os; arch?: Arch } {
  if (flags.os !== undefined && !isOs(flags.os)) throw new UsageError(`--os ${JSON.stringify(flags.os)} is not one of ${OS_VALUES.join(", ")}`);
  if (flags.arch !== undefined && !isArch(flags.arch)) throw new UsageError(`--arch ${JSON.stringify(flags.arch)} is not one of ${ARCH_VALUES.join(", ")}`);
  return { ...(flags.os !== undefined ? { os: flags.os } : {}), ...(flags.arch !== undefined ? { arch: flags.arch } : {}) };
}

/** Prints one JSON document on stdout (for `--json`). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
