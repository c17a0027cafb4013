import { Command, CommanderError } from "commander";
import { detectEnvironment } from "./environment.js";
import { CliError, EXIT, UsageError } from "./errors.js";
import { createLogger } from "./logger.js";

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
  const message = error instanceof Error ? error.message : String(error);
  report(`internal error: ${message}`, "this is a bug in baiengine; set BAIENGINE_DEBUG=1 for the stack trace");
  if (process.env["BAIENGINE_DEBUG"] && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return EXIT.failed;
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
