/** Exit codes shared by every baiengine CLI: ok, failed (refused or broken input), usage. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * An expected failure: one line for people (`message`) and, when there is one, the fix (`hint`).
 * One class per exit code; packages subclass these to name their own failures, and put the facts
 * a program needs in fields (`readonly expected: string`), never only in the sentence: `--json`
 * prints them (errorFacts) under the class's stable `code`.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /**
   * The stable code `--json` readers branch on: a class's own `static code`, else its name in
   * UPPER_SNAKE without `Error` (`HashMismatchError` → `HASH_MISMATCH`). A rename keeps the code by
   * declaring the old one as `static code`.
   */
  get code(): string {
    const own = (this.constructor as { code?: unknown }).code;
    return typeof own === "string" ? own : codeOfName(this.constructor.name);
  }
}

/** `HashMismatchError` → `HASH_MISMATCH`. */
export function codeOfName(name: string): string {
  return name
    .replace(/Error$/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .toUpperCase();
}

/** The fields an error carries besides its sentence and hint (its own enumerable properties), for `--json`. */
export function errorFacts(error: Error): Record<string, unknown> {
  const skip = new Set(["name", "message", "stack", "hint", "exitCode"]);
  return Object.fromEntries(Object.entries(error).filter(([key, value]) => !skip.has(key) && value !== undefined));
}

/** The command line itself is wrong (unknown flag, missing argument): exit 2. */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.usage, hint);
  }
}

/** The work was refused or failed (bad package, missing toolchain, build error): exit 1. */
export class FailureError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.failed, hint);
  }
}
