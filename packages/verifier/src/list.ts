import type { TarEntry } from "./archive/tar-reader.js";
import type { Finding } from "./findings.js";
import type { Limits } from "./limits.js";
import { scanPackage } from "./scan.js";

/** The entries the verifier's reader sees in a package, in archive order, with its findings (for audits and tests). */
export async function listPackageEntries(
  file: string,
  options: { limits?: Partial<Limits>; expectedFilename?: string } = {},
): Promise<{ entries: TarEntry[]; findings: Finding[] }> {
  const scan = await scanPackage(file, options);
  return { entries: scan.entryList, findings: scan.findings };
}
