// The errors subpath keeps commander and cli-progress out of library imports.
import { FailureError } from "@baiengine/cli-kit/errors";

/** engines.json is missing, not JSON, or does not match the schema: `issues` are `path: reason` lines. */
export class IndexInvalidError extends FailureError {
  constructor(
    readonly file: string,
    readonly issues: string[],
    hint = "fix the listed fields (or run `engine-registry init <dir>` to start a new registry)",
  ) {
    super(`${file} is invalid: ${issues.join("; ")}`, hint);
  }
}

/** Another process holds the index lock for longer than the timeout. */
export class IndexLockedError extends FailureError {}

/** The index changed on disk between reading and writing it (a writer that ignored the lock). */
export class IndexChangedError extends FailureError {}

/** `update` refused: the index is left byte-for-byte untouched. */
export class UpdateRefusedError extends FailureError {
  constructor(
    message: string,
    hint?: string,
    readonly details: string[] = [],
  ) {
    super(details.length > 0 ? `${message}:\n  ${details.join("\n  ")}` : message, hint);
  }
}

/** A download failed (HTTP status, timeout, truncated, size or sha256 mismatch). */
export class DownloadError extends FailureError {
  constructor(
    message: string,
    hint?: string,
    /** Whether trying again may help (network trouble), as opposed to wrong content or a 404. */
    readonly transient = false,
  ) {
    super(message, hint);
  }
}

/** `install`/`resolve` refused: nothing was installed. */
export class InstallRefusedError extends FailureError {}

/** No package of an engine fits the host or request; `reasons` has one line per package considered. */
export class NoPackageFitsError extends InstallRefusedError {
  constructor(
    message: string,
    hint: string,
    readonly reasons: string[],
  ) {
    super(message, hint);
  }
}
