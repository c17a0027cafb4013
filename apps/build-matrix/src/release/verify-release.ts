import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256File } from "@baiengine/cli-kit/system";
import { PACKAGE_EXTENSION, type Reporter, safeParsePackageFilename, silentReporter } from "@baiengine/schema";
import { type VerifyReport, verifyPackage } from "@baiengine/verifier";
import { MatrixFailureError, MatrixUsageError } from "../errors.js";

export interface ReleaseCheck {
  file: string;
  report: VerifyReport;
  problems: string[];
}

/**
 * Verifies every package of a release folder again before anything is published: the file name
 * names this engine and version, the verifier finds no error, and a `.sha256` beside it (as the
 * packer writes) matches. Throws MatrixFailureError listing every problem; nothing is published.
 */
export async function verifyRelease(options: { engine: string; version: string; packagesDir: string; reporter?: Reporter }): Promise<ReleaseCheck[]> {
  const reporter = options.reporter ?? silentReporter;
  const names = (await readdir(options.packagesDir).catch(() => {
    throw new MatrixUsageError(`packages folder ${options.packagesDir} does not exist`, "download the build artifacts into it first");
  })).filter((n) => n.endsWith(PACKAGE_EXTENSION)).sort();
  if (names.length === 0) throw new MatrixFailureError(`no ${PACKAGE_EXTENSION} files in ${options.packagesDir}`, "did the build jobs upload their artifacts?");
  const checks: ReleaseCheck[] = [];
  for (const [i, name] of names.entries()) {
    reporter.progress?.("verify", i, names.length, name);
    const file = join(options.packagesDir, name);
    const problems: string[] = [];
    const parsed = safeParsePackageFilename(name);
    if (!parsed.ok) problems.push(`file name: ${parsed.error.message}`);
    else if (parsed.value.engineId !== options.engine || parsed.value.version !== options.version) {
      problems.push(`belongs to ${parsed.value.engineId} ${parsed.value.version}, not ${options.engine} ${options.version}`);
    }
    const report = await verifyPackage(file);
    for (const f of report.findings.filter((f) => f.severity === "error")) problems.push(`${f.code}: ${f.message}`);
    const sidecar = await readFile(`${file}.sha256`, "utf8").catch(() => null);
    if (sidecar !== null) {
      const expected = sidecar.trim().split(/\s+/)[0];
      const actual = await sha256File(file);
      if (expected !== actual) problems.push(`sha256 ${actual} differs from ${name}.sha256 (${expected})`);
    }
    checks.push({ file, report, problems });
  }
  reporter.progress?.("verify", names.length, names.length);
  const bad = checks.filter((c) => c.problems.length > 0);
  if (bad.length > 0) {
    throw new MatrixFailureError(
      `${bad.length} of ${checks.length} package(s) failed verification: ${bad.map((c) => `${c.file}: ${c.problems.join("; ")}`).join(" | ")}`,
      "rebuild the failing cells; nothing was published",
    );
  }
  return checks;
}
