import { posix } from "node:path";
import { parseRuntimeFilename, RUNTIME_EXTENSION, type RuntimeManifest, type RuntimeName, RuntimeFilenameError, safeParseRuntimeManifest } from "@baiengine/schema";
import type { BinaryInfo } from "../binary/binary-info.js";
import { errorFinding, type Finding } from "../findings.js";
import { checkLibraries, type LibraryRequirements, type PackageSymlink } from "../libraries.js";
import { decodeManifest, MANIFEST_PATH } from "./manifest.js";

/** Whether a file name is a runtime pack's (`.bairuntime`): the verifier then checks it as one. */
export function isRuntimePackName(filename: string): boolean {
  return filename.endsWith(RUNTIME_EXTENSION);
}

/** What a runtime pack's whole-package check needs from the walk. */
export interface RuntimePackContents {
  manifestBytes: Buffer | null;
  /** Paths of regular files, under package/. */
  files: ReadonlySet<string>;
  binaries: ReadonlyMap<string, BinaryInfo>;
  symlinks: PackageSymlink[];
}

function parseName(filename: string, findings: Finding[]): RuntimeName | null {
  try {
    return parseRuntimeFilename(filename);
  } catch (error) {
    if (!(error instanceof RuntimeFilenameError)) throw error;
    findings.push(errorFinding("FILENAME_INVALID", `file name is not a runtime pack name (${error.part}): ${error.message}`));
    return null;
  }
}

/** The manifest parsed as a RuntimeManifest and compared with the file name. */
function checkRuntimeManifest(bytes: Buffer | null, filename: string, findings: Finding[]): RuntimeManifest | null {
  const named = parseName(filename, findings);
  if (bytes === null) {
    findings.push(errorFinding("MANIFEST_MISSING", `the runtime pack has no ${MANIFEST_PATH}`, MANIFEST_PATH));
    return null;
  }
  const json = decodeManifest(bytes, findings);
  if (json === undefined) return null;
  const parsed = safeParseRuntimeManifest(json);
  if (!parsed.ok) {
    for (const issue of parsed.issues) findings.push(errorFinding("MANIFEST_SCHEMA", issue, MANIFEST_PATH));
    return null;
  }
  const m = parsed.value;
  for (const part of ["runtimeId", "version", "os", "arch"] as const) {
    if (named && m[part] !== named[part]) {
      findings.push(errorFinding("MANIFEST_FILENAME_MISMATCH", `${part} is ${JSON.stringify(m[part])} in the manifest but ${JSON.stringify(named[part])} in the file name ${JSON.stringify(filename)}`, MANIFEST_PATH));
    }
  }
  return m;
}

/**
 * A runtime pack's whole-package checks: the manifest (a RuntimeManifest naming the same pack as
 * the file), every library it `provides` and every licence present, the libraries' links (the same
 * rules as engine packages: no driver bundled, right OS and CPU), and every GPU runtime they link
 * provided by the pack itself.
 */
export function checkRuntimePack(contents: RuntimePackContents, filename: string): { findings: Finding[]; manifest: RuntimeManifest | null; requirements: LibraryRequirements } {
  const findings: Finding[] = [];
  const manifest = checkRuntimeManifest(contents.manifestBytes, filename, findings);
  if (!manifest) return { findings, manifest: null, requirements: { systemLibraries: [] } };
  const has = (rel: string) => contents.files.has(`package/${rel}`);
  for (const name of manifest.provides) {
    const rel = posix.join(manifest.libraryDir, name);
    if (!has(rel)) findings.push(errorFinding("RUNTIME_LIBRARY_MISSING", `the manifest provides ${name} but the pack has no file ${rel}`, `package/${rel}`));
  }
  for (const licence of manifest.licenses ?? []) {
    if (!has(licence)) findings.push(errorFinding("RUNTIME_LICENSE_MISSING", `the manifest lists the licence ${licence} but the pack has no such file`, `package/${licence}`));
  }
  const libraries = checkLibraries(
    [...contents.binaries].map(([path, info]) => ({ path, info })),
    { os: manifest.os, arch: manifest.arch },
    { symlinks: contents.symlinks, declaredSystemLibraries: manifest.provides },
  );
  // Its own GPU runtime links must be its own libraries: the pack is installed beside the engine as one folder.
  const fold = (n: string) => (manifest.os === "windows" ? n.toLowerCase() : n);
  const provided = new Set(manifest.provides.map(fold));
  findings.push(...libraries.findings.filter((f) => f.code !== "LIB_RUNTIME_REQUIRED"));
  for (const link of libraries.runtimeLinks) {
    if (provided.has(fold(link.name))) continue;
    findings.push(errorFinding("RUNTIME_INCOMPLETE", `${link.name} (needed by ${link.by.join(", ")}) is a GPU runtime library the pack does not provide`, `package/${link.by[0]}`));
  }
  return { findings, manifest, requirements: libraries.requirements };
}
