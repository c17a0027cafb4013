import type { Reporter } from "@baiengine/schema";
import { detectEnvironment } from "./environment.js";
import { EXIT, type ExitCode } from "./errors.js";
import { createLogger } from "./logger.js";
import { printJson } from "./program.js";
import { createProgressReporter } from "./progress.js";

/**
 * What a command hands back to its CLI to render: a command module computes it, the CLI prints it.
 * A test calls the command module and reads this, with no process.
 */
export interface Rendered {
  /** The one JSON document `--json` prints on stdout. */
  json: unknown;
  /** The lines people read on stdout without `--json`. */
  lines: string[];
  /** Text printed as it is on stdout in both modes instead of `json`/`lines` (a document the command writes out). */
  text?: string;
  /** Warnings, one line each on stderr, in both modes. */
  warnings?: string[];
  /** Problems, one `error:` line each on stderr without `--json` (`json` holds them); they make the exit code 1. */
  problems?: string[];
  /** The exit code when the command's own outcome is a failure though it ran to the end (something rejected). */
  exitCode?: ExitCode;
}

/** Prints a command's result the way `--json` (or its absence) asks, and sets the exit code for problems. */
export function renderResult(result: Rendered, options: { json?: boolean }): void {
  const log = createLogger(detectEnvironment());
  for (const warning of result.warnings ?? []) log.warn(warning);
  if (result.text !== undefined) process.stdout.write(result.text);
  else if (options.json) printJson(result.json);
  else for (const line of result.lines) process.stdout.write(`${line}\n`);
  if (!options.json) for (const problem of result.problems ?? []) log.error(problem);
  if (result.exitCode !== undefined) process.exitCode = result.exitCode;
  if ((result.problems ?? []).length > 0) process.exitCode = EXIT.failed;
}

/**
 * Runs `work` with a progress reporter on stderr (silent under `--json` or `quiet`) and always stops it, also
 * when the work throws, so a live bar never outlives the command or garbles its error line.
 */
export async function withReporter<T>(options: { json?: boolean; quiet?: boolean }, work: (reporter: Reporter) => Promise<T>): Promise<T> {
  const reporter = createProgressReporter(detectEnvironment(), { quiet: Boolean(options.json || options.quiet) });
  try {
    return await work(reporter);
  } finally {
    reporter.stop();
  }
}
