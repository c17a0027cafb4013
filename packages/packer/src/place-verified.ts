import { writeFile } from "node:fs/promises";
import path from "node:path";
import { renameWithRetry } from "@baiengine/cli-kit/system";
import type { Reporter } from "@baiengine/schema";
import { describeFinding, errorFindings, verifyPackage } from "@baiengine/verifier";
import { PackageVerificationError } from "./errors.js";

/** A package written under a temporary name beside its final one, and what to say if it is refused. */
export interface Placement {
  /** The archive as written (`.<name>.partial`), in the same folder as `outFile`. */
  tempFile: string;
  outFile: string;
  /** `<outFile>.sha256`, written after the rename in `sha256sum`'s format. */
  checksumFile: string;
  /** The archive's sha256, taken while it was written. */
  sha256: string;
  /** What was built, for the refusal: `the built package`, `the runtime pack`. */
  what: string;
  /** The refusal's hint: what to fix. */
  hint: string;
  reporter: Reporter;
  signal?: AbortSignal;
}

/**
 * The last step of every pack (engine packages and runtime packs alike): verify the archive under its
 * temporary name, then rename it into place (with Windows' retries) and write `<file>.sha256`.
 * Warnings go to the reporter. Throws PackageVerificationError (with the error findings) when the
 * verifier refuses it: nothing is then under the final name, and the caller removes `tempFile`.
 */
export async function verifyAndPlace(p: Placement): Promise<void> {
  const report = await verifyPackage(p.tempFile, { expectedFilename: path.basename(p.outFile), reporter: p.reporter, ...(p.signal ? { signal: p.signal } : {}) });
  const errors = errorFindings(report.findings);
  if (errors.length > 0) {
    throw new PackageVerificationError(`${p.what} failed verification: ${errors.map(describeFinding).join("; ")}`, p.hint, errors);
  }
  for (const f of report.findings) if (f.severity === "warning") p.reporter.log?.("warn", describeFinding(f));
  await renameWithRetry(p.tempFile, p.outFile);
  await writeFile(p.checksumFile, `${p.sha256}  ${path.basename(p.outFile)}\n`);
}
