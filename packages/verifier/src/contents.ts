import { acceleratorToken, type Manifest, type RuntimeManifest } from "@baiengine/schema";
import type { TarEntry } from "./archive/tar-reader.js";
import type { BinaryInfo } from "./binary/binary-info.js";
import { errorFinding, type Finding } from "./findings.js";
import { checkLibraries, type LibraryRequirements, type PackageBinary, type PackageSymlink, type RuntimeLink } from "./libraries.js";
import { type EntrySet, PACKAGE_ROOT } from "./rules/entry-safety.js";
import { checkCpuBackendModule, profileBackendModules } from "./rules/backend-modules.js";
import { checkManifest } from "./rules/manifest.js";
import { checkRuntimeEdges, profileRuntimeLookup } from "./rules/runtime-edges.js";
import { checkRuntimePack, isRuntimePackName } from "./rules/runtime-pack.js";
import { checkServerBinary } from "./rules/server-binary.js";
import { checkWindowsLinks } from "./rules/windows-links.js";
import { checkWindowsPathLength } from "./rules/windows-path-length.js";

/** What a complete walk gathered: the manifest's bytes, every entry, the binaries' headers by path under package/. */
export interface WalkedPackage {
  manifestBytes: Buffer | null;
  entrySet: EntrySet;
  entryList: TarEntry[];
  binaries: ReadonlyMap<string, BinaryInfo>;
  binaryErrors: ReadonlyMap<string, string>;
}

export interface ContentsCheck {
  findings: Finding[];
  manifest: Manifest | null;
  /** A runtime pack's (`.bairuntime`) manifest, whose checks replace the engine package's. */
  runtimeManifest: RuntimeManifest | null;
  requirements: LibraryRequirements;
  /** An engine package's GPU runtime libraries linked but not bundled, with the binaries that link each (empty for a runtime pack). */
  runtimeLinks: RuntimeLink[];
}

/**
 * The checks that need the whole package, run once the walk is complete (pure): the manifest,
 * its server binary, binaries with corrupt headers, the library closure, the runtime edge (the
 * GPU runtime libraries it links belong to the runtime its manifest names, of its accelerator token),
 * and a CPU backend module where the backends are modules (rules/backend-modules.ts).
 */
export function checkContents(walked: WalkedPackage, expectedFilename: string): ContentsCheck {
  if (isRuntimePackName(expectedFilename)) return checkRuntimeContents(walked, expectedFilename);
  const checked = checkManifest(walked.manifestBytes, expectedFilename);
  const manifest = checked.manifest;
  if (!manifest) return { findings: checked.findings, manifest: null, runtimeManifest: null, requirements: { systemLibraries: [] }, runtimeLinks: [] };
  const folder = [manifest.engineId, manifest.version, [manifest.os, manifest.arch, acceleratorToken(manifest.accelerator, manifest.acceleratorVersion), manifest.variant].filter((x) => x !== undefined).join("-")].join("\\");
  const findings = [
    ...checked.findings,
    ...checkBinaries(walked, manifest),
    ...checkWindowsLinks(manifest.os, walked.entrySet.symlinks),
    ...checkWindowsPathLength(manifest.os, folder, walked.entryList.map((e) => e.path)),
  ];
  const libraries = checkLibraries(
    [...walked.binaries].map(([path, info]): PackageBinary => ({ path, info })),
    { os: manifest.os, arch: manifest.arch },
    { symlinks: packageSymlinks(walked.entrySet), serverBinary: manifest.serverBinary, declaredSystemLibraries: manifest.requirements?.systemLibraries ?? [] },
  );
  const edges = checkRuntimeEdges(manifest, libraries.runtimeLinks, profileRuntimeLookup);
  const files = [...walked.entrySet.files.keys()].filter((p) => p.startsWith(`${PACKAGE_ROOT}/`)).map((p) => p.slice(PACKAGE_ROOT.length + 1));
  const backends = checkCpuBackendModule(manifest, files, walked.binaries, profileBackendModules(manifest.engineId, manifest.os));
  return { findings: [...findings, ...libraries.findings, ...edges, ...backends], manifest, runtimeManifest: null, requirements: libraries.requirements, runtimeLinks: libraries.runtimeLinks };
}

/** A runtime pack's checks (rules/runtime-pack.ts), and one BINARY_CORRUPT per binary whose headers could not be read. */
function checkRuntimeContents(walked: WalkedPackage, expectedFilename: string): ContentsCheck {
  const files = new Set(walked.entrySet.files.keys());
  const checked = checkRuntimePack({ manifestBytes: walked.manifestBytes, files, binaries: walked.binaries, symlinks: packageSymlinks(walked.entrySet) }, expectedFilename);
  const corrupt = [...walked.binaryErrors].map(([path, message]) => errorFinding("BINARY_CORRUPT", `native binary with corrupt headers: ${message}`, `${PACKAGE_ROOT}/${path}`));
  const m = checked.manifest;
  const links = m ? [...checkWindowsLinks(m.os, walked.entrySet.symlinks), ...checkWindowsPathLength(m.os, ["runtimes", m.runtimeId, m.version, `${m.os}-${m.arch}`].join("\\"), walked.entryList.map((e) => e.path))] : [];
  return { findings: [...checked.findings, ...corrupt, ...links], manifest: null, runtimeManifest: checked.manifest, requirements: checked.requirements, runtimeLinks: [] };
}

/** The server binary's checks, and one BINARY_CORRUPT per other binary whose headers could not be read. */
function checkBinaries(walked: WalkedPackage, manifest: Manifest): Finding[] {
  const serverPath = `${PACKAGE_ROOT}/${manifest.serverBinary}`;
  const serverEntry = walked.entrySet.files.get(serverPath) ?? walked.entryList.find((e) => e.path === serverPath);
  const findings = checkServerBinary(manifest, serverEntry, walked.binaries.get(manifest.serverBinary), walked.binaryErrors.get(manifest.serverBinary));
  for (const [path, message] of walked.binaryErrors) {
    if (path !== manifest.serverBinary) findings.push(errorFinding("BINARY_CORRUPT", `native binary with corrupt headers: ${message}`, `${PACKAGE_ROOT}/${path}`));
  }
  return findings;
}

/** The package's symlinks with paths relative to package/ (targets as stored). */
function packageSymlinks(entrySet: EntrySet): PackageSymlink[] {
  const symlinks: PackageSymlink[] = [];
  for (const [link, target] of entrySet.symlinks) {
    if (link.startsWith(`${PACKAGE_ROOT}/`)) symlinks.push({ path: link.slice(PACKAGE_ROOT.length + 1), target });
  }
  return symlinks;
}
