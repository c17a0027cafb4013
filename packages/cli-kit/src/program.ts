import { Command, CommanderError } from "commander";
import { detectEnvironment } from "./environment.js";
import { CliError, EXIT, UsageError } from "./errors.js";
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
  return new Command(name)
    .description(description)
    .version(version, options.versionFlags ?? "-V, --version", "print this tool's version")
    .showSuggestionAfterError(true)
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .exitOverride();
}

/**
 * Runs a CLI to completion and maps every outcome to an exit code: 0 ok, 1 failed, 2 usage. Expected
 * failures print `error: <message>` and the fix; unexpected ones print one line and point at
 * BAIENGINE_DEBUG=1 for the stack.
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
  }
  process.exit(code);
}

/** The exit code of an error, after reporting it through `report`. */
export function exitCodeFor(error: unknown, report: (message: string, hint?: string) => void): number {
  if (error instanceof CommanderError) {
    // help and version "errors" are successful exits; commander already printed the message.
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return EXIT.ok;
    return EXIT.usage;
  }
  if (error instanceof CliError) {
    report(error.message, error.hint);
    return error.exitCode;
  }
  const system = fileSystemError(error);
  if (system) {
    report(system.message, system.hint);
    return EXIT.failed;
  }
  const message = error instanceof Error ? error.message : String(error);
  report(`internal error: ${message}`, "this is a bug in baiengine; set BAIENGINE_DEBUG=1 for the stack trace");
  if (process.env["BAIENGINE_DEBUG"] && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return EXIT.failed;
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

/** Prints one JSON document on stdout (for `--json`). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
