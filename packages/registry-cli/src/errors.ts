// The errors subpath keeps commander and cli-progress out of library imports.
import { FailureError } from "@baiengine/cli-kit/errors";
import { describeFinding, errorFindings, type Finding, type ProbeFailure } from "./verifier-port.js";

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

/**
 * Another process held a lock past the wait: `lock` is the lock folder, `holder` who holds it (pid,
 * host, command, as it recorded itself), `waitedMs` how long this process waited.
 */
export class LockTimeoutError extends FailureError {
  constructor(
    message: string,
    hint: string,
    readonly lock: string,
    readonly holder: string,
    readonly waitedMs: number,
  ) {
    super(message, hint);
  }
}

/** Another process holds the index lock for longer than the timeout. */
export class IndexLockedError extends LockTimeoutError {}

/** Another command on the engines folder (`use`, `remove`, `prune`, an install's activation) held its lock past the wait. */
export class EnginesFolderLockedError extends LockTimeoutError {}

/** Another install of the same package file held its lock past the wait (a stalled download). */
export class InstallLockedError extends LockTimeoutError {}

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
    /** What was fetched, credentials redacted; null when the failure is not one URL's. */
    readonly url: string | null = null,
  ) {
    super(message, hint);
  }
}

/**
 * A downloaded package's bytes are not the published ones: `actual` is their sha256, `expected` the
 * index's (both lowercase hex), for `size` bytes from `url`.
 */
export class HashMismatchError extends DownloadError {
  constructor(
    override readonly url: string,
    readonly filename: string,
    readonly size: number,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `${url}: the ${size} bytes received have sha256 ${actual}, the index lists ${expected} for ${filename}`,
      "the file at that URL is not the one the index lists (re-uploaded under the same name, or an out-of-date mirror); nothing was installed",
    );
  }
}

/** `install`/`resolve` refused: nothing was installed. */
export class InstallRefusedError extends FailureError {}

/** The runtime pack an engine package needs is not installed (or was removed meanwhile): `runtimeId`, at least `minVersion`. */
export class RuntimeNotInstalledError extends InstallRefusedError {
  constructor(
    message: string,
    hint: string,
    readonly runtimeId: string,
    readonly minVersion: string,
  ) {
    super(message, hint);
  }
}

/**
 * The verifier refused the package (`findings`, every one it made). When all its errors are
 * EXTRACT_WRITE_FAILED (the disk full, no permission) the fault is this machine's, not the package's,
 * and `fault` is `"machine"`, with a hint about the engines folder instead.
 */
export class PackageRefusedError extends InstallRefusedError {
  constructor(
    readonly filename: string,
    readonly findings: Finding[],
    readonly fault: "package" | "machine",
  ) {
    const detail = errorFindings(findings).map(describeFinding).join("; ");
    super(
      fault === "machine" ? `${filename} could not be extracted into the engines folder: ${detail}` : `${filename} was rejected: ${detail}`,
      fault === "machine" ? "nothing was installed; free space there (or pick another --engines-dir), then install again" : "nothing was installed; use a package that passes verify-engine",
    );
  }

  static from(filename: string, findings: Finding[]): PackageRefusedError {
    const errors = errorFindings(findings);
    return new PackageRefusedError(filename, findings, errors.length > 0 && errors.every((f) => f.code === "EXTRACT_WRITE_FAILED") ? "machine" : "package");
  }
}

/**
 * The device probe listed no device of the package's kind: `message` names the library or device
 * missing; `probeFailure` says when the server never got to list devices (could not start, timed out,
 * killed), else null.
 */
export class DeviceProbeRefusedError extends InstallRefusedError {
  constructor(
    message: string,
    hint: string,
    readonly probeFailure: ProbeFailure | null,
  ) {
    super(message, hint);
  }
}

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

/**
 * A TUF signing command refused (registry side): a key for the wrong role, too few keys for a
 * threshold, metadata missing or inconsistent. Nothing in the metadata folder was changed.
 */
export class SigningRefusedError extends FailureError {
  constructor(
    message: string,
    hint: string,
    /** The role being signed (root, targets, snapshot, timestamp), when the refusal is about one. */
    readonly role: string | null = null,
  ) {
    super(message, hint);
  }
}

/** Why the app side refuses a registry's metadata or a file against it (the TUF client workflow). */
export type TrustReason =
  | "rollback"
  | "expired"
  | "mix-and-match"
  | "signatures"
  | "not-signed"
  | "hash-or-length"
  | "too-large"
  | "missing"
  | "invalid"
  | "unreachable";

/**
 * The registry's signed metadata refused an update or a file: nothing was installed. `role` is the
 * TUF role whose metadata failed (root, timestamp, snapshot, targets); `expiredAt` is set for
 * `expired` (ISO 8601), so the age can be shown.
 */
export class TrustRefusedError extends FailureError {
  constructor(
    readonly role: string,
    readonly reason: TrustReason,
    readonly detail: string,
    hint: string,
    readonly expiredAt: string | null = null,
  ) {
    super(`${role} metadata refused (${reason}): ${detail}`, hint);
  }
}

/**
 * `use`, `rollback`, `remove` or `prune` refused: the engines folder and its active record are as
 * they were. Subclasses name the reason; their fields are the facts `--json` prints.
 */
export class ManageRefusedError extends FailureError {}

/** No version of `engineId` is installed in `enginesDir` (for `osArch`, when the command is about one machine platform; else null). */
export class EngineNotInstalledError extends ManageRefusedError {
  constructor(
    readonly engineId: string,
    readonly enginesDir: string,
    readonly osArch: string | null,
  ) {
    super(`${engineId} is not installed${osArch ? ` for ${osArch}` : ""} in ${enginesDir}`, `\`engine-registry installed\` lists what is installed; to add it: install --engine ${engineId}`);
  }
}

/**
 * The engine is installed, but not `version` (or not for `accel`, the platform folder's accelerator
 * part): `installed` lists the versions (or accelerators) that are. `osArch` is null when every
 * machine platform was looked at (`remove`).
 */
export class VersionNotInstalledError extends ManageRefusedError {
  constructor(
    readonly engineId: string,
    readonly version: string,
    readonly accel: string | null,
    readonly osArch: string | null,
    readonly installed: string[],
    hint: string,
  ) {
    super(`${engineId} ${version}${accel ? ` ${accel}` : ""} is not installed${osArch ? ` for ${osArch}` : ""} (installed: ${installed.join(", ")})`, hint);
  }
}

/** A version is installed for several accelerators (`accels`) and the command did not say which (`--accel`). */
export class AcceleratorNotChosenError extends ManageRefusedError {
  constructor(
    readonly engineId: string,
    readonly version: string,
    readonly accels: string[],
  ) {
    super(`${engineId} ${version} is installed for several accelerators: ${accels.join(", ")}`, "pick one with --accel");
  }
}

/** `remove` of the active version (`platform` on `osArch`) without `--force`. */
export class ActiveVersionError extends ManageRefusedError {
  constructor(
    readonly engineId: string,
    readonly version: string,
    readonly platform: string,
    readonly osArch: string,
  ) {
    super(`${engineId} ${version} ${platform} is the active version`, `pick another first (use ${engineId}@<version>), or pass --force: the previously active version is then activated`);
  }
}

/** `rollback` has nothing to go back to: no active version (`active` null), or no earlier one still installed. */
export class NothingToRollBackError extends ManageRefusedError {
  constructor(
    readonly engineId: string,
    readonly osArch: string,
    readonly active: { version: string; platform: string } | null,
  ) {
    super(
      active ? `${engineId} has no earlier active version still installed on ${osArch}` : `${engineId} has no active version on ${osArch}`,
      active ? `install one and pick it: use ${engineId}@<version>` : `install it, or pick one: use ${engineId}@<version>`,
    );
  }
}

/** `use <engine>@latest` found no installed version it may activate; `reasons` says, per version passed over, why. */
export class NoLatestVersionError extends ManageRefusedError {
  constructor(
    readonly engineId: string,
    readonly osArch: string,
    readonly reasons: string[],
    hint: string,
  ) {
    super(`${engineId} on ${osArch}: no installed version to follow (${reasons.join("; ")})`, hint);
  }
}

/** The active record (`file`, `<engines-dir>/active.json`) cannot be used: nothing that writes it runs, and `installed` shows no active version. */
export class ActiveRecordUnreadableError extends FailureError {
  constructor(
    readonly file: string,
    message: string,
    hint: string,
  ) {
    super(message, hint);
  }
}

/** The active record is not JSON or does not match its schema: `issues` are `path: reason` lines. */
export class ActiveRecordInvalidError extends ActiveRecordUnreadableError {
  constructor(
    file: string,
    readonly issues: string[],
  ) {
    super(file, `${file} is not a valid active record: ${issues.join("; ")}`, "fix it, or delete it (every engine then has no active version until `use <engine>@<version>`)");
  }
}

/** The active record has a `format` above the one this CLI reads (`readable`): a newer version wrote it. */
export class ActiveRecordNewerError extends ActiveRecordUnreadableError {
  constructor(
    file: string,
    readonly format: number,
    readonly readable: number,
  ) {
    super(file, `${file} was written by a newer engine-registry (format ${format}; this one reads format ${readable})`, "upgrade engine-registry to manage this engines folder; the file was left as it is");
  }
}

/** The active record changed on disk while this command held the engines folder's lock (a writer that ignores it); nothing was written. */
export class ActiveRecordChangedError extends FailureError {
  constructor(readonly file: string) {
    super(`${file} changed while this command held the engines folder's lock (a writer that ignores it); nothing was written`, "run the command again");
  }
}

/** A folder to remove (`dir`) cannot be renamed aside: a file in it is in use (`errno`: EBUSY, EPERM, EACCES). */
export class FolderInUseError extends ManageRefusedError {
  constructor(
    readonly dir: string,
    readonly errno: string,
    what: string,
  ) {
    super(`${dir} cannot be removed now: a file in it is in use (${errno})`, `is ${what} running? stop it, then run the command again`);
  }
}
