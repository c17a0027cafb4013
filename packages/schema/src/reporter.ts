/**
 * How libraries report long work without printing: the CLI injects a reporter and renders it
 * (progress bar on a TTY, plain lines under CI, nothing with --json). Every method is optional.
 */
export interface Reporter {
  /** A named phase starts (`configure`, `build`, `collect`, `archive`, `verify`, `download`). */
  step?(name: string, detail?: string): void;
  /** Progress inside the current phase; `total` null when unknown. */
  progress?(phase: string, done: number, total: number | null, detail?: string): void;
  /** A message for people: `info` by default, `warn` for things worth a look. */
  log?(level: "debug" | "info" | "warn", message: string): void;
}

/** Reports nothing: the default for library calls. */
export const silentReporter: Reporter = {};
