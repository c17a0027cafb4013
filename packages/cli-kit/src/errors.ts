/** Exit codes shared by every baiengine CLI: ok, failed (refused or broken input), usage. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * An expected failure: one line for people (`message`) and, when there is one, the fix (`hint`).
 * One class per exit code; packages subclass these to name their own failures.
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
