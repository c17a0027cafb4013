import {
  type Manifest,
  manifestPackageName,
  type PackageName,
  PackageFilenameError,
  parsePackageFilename,
  JsonDocumentError,
  parseStrictJson,
  safeParseManifest,
} from "@baiengine/schema";
import { errorFinding, type Finding } from "../findings.js";

export const MANIFEST_PATH = "package/manifest.json";

/**
 * §4: the manifest's bytes parse as strict JSON (no BOM, duplicate keys or invalid UTF-8; see the schema's json-document.ts), match the schema, and name the same package as the file.
 * `bytes` is null when no manifest entry was seen.
 */
export function checkManifest(bytes: Buffer | null, expectedFilename: string): { manifest: Manifest | null; findings: Finding[] } {
  const findings: Finding[] = [];
  const named = parseFilename(expectedFilename, findings);
  if (bytes === null) {
    findings.push(errorFinding("MANIFEST_MISSING", `the package has no ${MANIFEST_PATH}`, MANIFEST_PATH));
    return { manifest: null, findings };
  }
  const json = decodeManifest(bytes, findings);
  if (json === undefined) return { manifest: null, findings };
  const parsed = safeParseManifest(json);
  if (!parsed.ok) {
    for (const issue of parsed.issues) findings.push(errorFinding("MANIFEST_SCHEMA", issue, MANIFEST_PATH));
    return { manifest: null, findings };
  }
  const manifest = parsed.value;
  if (named) {
    const fromManifest = manifestPackageName(manifest);
    const parts: (keyof PackageName)[] = ["engineId", "version", "os", "arch", "acceleratorToken", "variant"];
    for (const part of parts) {
      if (fromManifest[part] !== named[part]) {
        findings.push(
          errorFinding(
            "MANIFEST_FILENAME_MISMATCH",
            `${part} is ${JSON.stringify(fromManifest[part] ?? null)} in the manifest but ${JSON.stringify(named[part] ?? null)} in the file name ${JSON.stringify(expectedFilename)}`,
            MANIFEST_PATH,
          ),
        );
      }
    }
  }
  return { manifest, findings };
}

/** The manifest's JSON value, or undefined after a MANIFEST_INVALID_JSON finding. */
export function decodeManifest(bytes: Buffer, findings: Finding[]): unknown {
  try {
    return parseStrictJson(bytes);
  } catch (error) {
    if (!(error instanceof JsonDocumentError || error instanceof SyntaxError)) throw error;
    findings.push(errorFinding("MANIFEST_INVALID_JSON", `not strict JSON: ${error.message}`, MANIFEST_PATH));
    return undefined;
  }
}

function parseFilename(filename: string, findings: Finding[]): PackageName | null {
  try {
    return parsePackageFilename(filename);
  } catch (error) {
    if (!(error instanceof PackageFilenameError)) throw error;
    findings.push(errorFinding("FILENAME_INVALID", `file name is not a package name (${error.part}): ${error.message}`));
    return null;
  }
}
