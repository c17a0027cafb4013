import { FailureError, UsageError } from "@baiengine/cli-kit/errors";
import type { Finding } from "@baiengine/verifier";

/** An engine, accelerator token or target the packer has no profile for. */
export class UnknownProfileError extends UsageError {}

/** The platform matrix does not allow this (os, arch, accelerator). */
export class UnsupportedTargetError extends UsageError {}

/** A compiler, SDK or toolkit the build needs is not installed (or has the wrong version). */
export class MissingToolchainError extends FailureError {}

/** The target can only be built on a machine of its own OS (macOS from Linux). */
export class NeedsNativeRunnerError extends FailureError {}

/** The source folder is missing, is not the engine's source, or has no version. */
export class SourceError extends FailureError {}

/** CMake configure or build failed; `logFile` holds the full output. */
export class BuildFailedError extends FailureError {
  constructor(
    message: string,
    hint: string,
    readonly logFile: string,
    readonly tail: string[],
  ) {
    super(message, hint);
  }
}

/** The finished package did not pass the verifier; nothing was kept under the final name. */
export class PackageVerificationError extends FailureError {
  constructor(
    message: string,
    hint: string,
    /** The verifier's error findings. */
    readonly findings: readonly Finding[] = [],
  ) {
    super(message, hint);
  }
}

/** Another pack of the same cell held the build folder for longer than the packer waits. */
export class BuildFolderBusyError extends FailureError {
  constructor(buildDir: string, lockPath: string) {
    super(
      `another pack-engine is still building in ${buildDir}`,
      `wait for it to finish, or pass --cache-dir to build elsewhere (a lock whose packer exited is taken over by itself; its lock is ${lockPath})`,
    );
  }
}

/** pack-runtime's plan has a blocker (no toolkit, a library the toolkit lacks or may not redistribute, no version). */
export class RuntimePackRefusedError extends FailureError {}
