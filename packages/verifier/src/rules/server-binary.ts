import type { Manifest } from "@baiengine/schema";
import type { TarEntry } from "../archive/tar-reader.js";
import type { BinaryInfo } from "../binary/binary-info.js";
import { errorFinding, type Finding } from "../findings.js";

/**
 * §5: `serverBinary` is a regular file with the exec bit and a native executable of the manifest's
 * os and CPU (any slice of a fat Mach-O). `entry` is the archive entry for it, if any.
 */
export function checkServerBinary(
  manifest: Manifest,
  entry: TarEntry | undefined,
  info: BinaryInfo | null | undefined,
  binaryError?: string,
): Finding[] {
  const path = `package/${manifest.serverBinary}`;
  const fail = (code: string, message: string): Finding[] => [errorFinding(code, message, path)];
  if (!entry) return fail("SERVER_BINARY_MISSING", `manifest names serverBinary ${JSON.stringify(manifest.serverBinary)} but the package has no such entry`);
  if (entry.type !== "file") return fail("SERVER_BINARY_NOT_FILE", `serverBinary is a ${entry.type}, not a regular file`);
  const findings: Finding[] = [];
  if ((entry.mode & 0o111) === 0 && manifest.os !== "windows") {
    findings.push(errorFinding("SERVER_BINARY_NOT_EXECUTABLE", `serverBinary has no exec bit (mode ${entry.mode.toString(8)})`, path));
  }
  if (binaryError !== undefined) {
    findings.push(errorFinding("SERVER_BINARY_CORRUPT", `serverBinary has a native binary's magic but corrupt headers: ${binaryError}`, path));
    return findings;
  }
  if (!info) {
    findings.push(errorFinding("SERVER_BINARY_NOT_NATIVE", "serverBinary is not a native executable (a script or data file?)", path));
    return findings;
  }
  if (info.os !== manifest.os) {
    findings.push(errorFinding("SERVER_BINARY_WRONG_OS", `serverBinary is a ${info.format} binary for ${info.os}, the manifest says ${manifest.os}`, path));
    return findings;
  }
  const arches = info.slices ? info.slices.map((s) => s.arch) : [info.arch];
  if (!arches.includes(manifest.arch)) {
    findings.push(errorFinding("SERVER_BINARY_WRONG_ARCH", `serverBinary is built for ${info.machine}, the manifest says ${manifest.arch}`, path));
  }
  const kinds = info.slices ? info.slices.map((s) => s.kind) : [info.kind];
  if (!kinds.includes("executable")) {
    findings.push(errorFinding("SERVER_BINARY_NOT_EXECUTABLE_KIND", `serverBinary is a ${info.kind}, not an executable`, path));
  }
  return findings;
}
