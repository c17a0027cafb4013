import { type EngineProfile, exampleVersion } from "@baiengine/profiles";
import { FailureError, UsageError } from "@baiengine/cli-kit/errors";

/** A filter, engine or flag the matrix cannot satisfy: exit 2. */
export class MatrixUsageError extends UsageError {}

/** A cell failed to pack or verify, or a release step failed: exit 1. */
export class MatrixFailureError extends FailureError {}

/** A git engine's cells asked for without the version whose tag CI clones; the hint is the profile's example (`--version 827-97d2990`, git tag `master-827-97d2990`). */
export function untaggedEngineError(engine: Pick<EngineProfile, "id" | "source">): MatrixUsageError {
  const example = engine.source.kind === "git" ? exampleVersion(engine.source) : "0.1.0";
  return new MatrixUsageError(`engine ${engine.id} is built from a git tag: pass --version`, `e.g. --engine ${engine.id} --version ${example}`);
}
