import { FailureError, UsageError } from "@baiengine/cli-kit/errors";

/** A filter, engine or flag the matrix cannot satisfy: exit 2. */
export class MatrixUsageError extends UsageError {}

/** A cell failed to pack or verify, or a release step failed: exit 1. */
export class MatrixFailureError extends FailureError {}
