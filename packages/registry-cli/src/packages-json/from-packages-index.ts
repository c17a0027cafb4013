import {
  type Arch,
  archFromNode,
  type EngineEntry,
  type LiveEngineEntry,
  type LivePackageEntry,
  type LiveRuntimeEntry,
  type Os,
  osFromNode,
  type PackageEntry,
  parseAcceleratorToken,
  parsePackageFilename,
  type RuntimeEntry,
  toolkitMajor,
} from "@baiengine/schema";

/**
 * The app's live packages.json entries as engines.json entries: Node's platform names mapped to the
 * design's, the accelerator token split into family and toolkit major (`cuda13` → `cuda`, `"13"`;
 * an `acceleratorVersion` the live file carries is kept when its major agrees), the variant read
 * from the file name (`...-cuda13-gh200`), file names kept byte for byte. Pure; the input is a
 * parsed `PackagesIndex`, whose rules already tie each file name to its entry.
 */
const os = (value: string) => osFromNode(value) as Os;
const arch = (value: string) => archFromNode(value) as Arch;

export function engineFromLive(live: LiveEngineEntry): EngineEntry {
  const engine: EngineEntry = {
    id: live.id,
    name: live.name,
    description: live.description,
    latestVersion: live.latest.version,
    releaseDate: live.latest.releaseDate,
    modelFormats: live.supportedFormats,
    packages: live.latest.packages.map(packageFromLive).sort((a, b) => (a.filename < b.filename ? -1 : 1)),
  };
  if (live.latest.minAppVersion !== undefined) engine.minAppVersion = live.latest.minAppVersion;
  return engine;
}

export function packageFromLive(live: LivePackageEntry): PackageEntry {
  const token = parseAcceleratorToken(live.accelerator);
  const kept = live.acceleratorVersion ?? null;
  const acceleratorVersion = token.major === null ? null : kept !== null && toolkitMajor(kept) === token.major ? kept : String(token.major);
  const { variant } = parsePackageFilename(live.filename);
  return {
    os: os(live.os),
    arch: arch(live.arch),
    accelerator: token.accelerator,
    acceleratorVersion,
    ...(variant !== undefined ? { variant } : {}),
    filename: live.filename,
    size: live.size,
    sha256: live.sha256,
  };
}

export function runtimeFromLive(live: LiveRuntimeEntry): RuntimeEntry {
  return {
    id: live.id,
    name: live.name,
    description: live.description,
    latestVersion: live.latest.version,
    ...(live.category !== undefined ? { category: live.category } : {}),
    releaseDate: live.latest.releaseDate,
    packages: live.latest.packages
      .map((p) => ({ os: os(p.os), arch: arch(p.arch), filename: p.filename, size: p.size, sha256: p.sha256 }))
      .sort((a, b) => (a.filename < b.filename ? -1 : 1)),
  };
}
