import path from "node:path";
import { type RuntimeManifest, runtimeManifestFilename, safeParseRuntimeManifest, toolkitMajor } from "@baiengine/schema";
import { runtimeProviding } from "@baiengine/profiles";
import { resolveRuntimeTarget } from "./runtime-target.js";
import type { RuntimeFacts, RuntimePackOptions, RuntimePackPlan, ToolkitLibrary } from "./runtime-types.js";

/** Folder of the pack's libraries under package/. */
export const RUNTIME_LIBRARY_DIR = "libs";

type Target = ReturnType<typeof resolveRuntimeTarget>;

/** Refusals about the libraries: engine links of another runtime, seeds the toolkit lacks, what may not be redistributed. */
function libraryBlockers(target: Target, facts: RuntimeFacts, packed: ToolkitLibrary[]): string[] {
  const { profile, platform } = target;
  const fold = (n: string) => (platform.os === "windows" ? n.toLowerCase() : n);
  const blockers: string[] = [];
  for (const link of facts.engineLinks ?? []) {
    const owner = runtimeProviding(platform.os, link.name);
    if (owner && owner.profile.id !== profile.id) {
      blockers.push(`${link.by} links ${link.name}, which is ${owner.profile.id}'s, not ${profile.id}'s: pack the runtime of the toolkit the engine was built with`);
    }
  }
  if (facts.engineLinks && packed.length === 0 && blockers.length === 0) {
    blockers.push(`the binaries under --from link none of ${profile.id}'s libraries (${platform.redistributable.join(", ")})`);
  }
  const allowed = new Set(platform.redistributable.map(fold));
  const root = facts.toolkit.root ?? "the toolkit";
  for (const lib of facts.libraries) {
    // Missing: what the engine links directly, or one of this runtime's own libraries (the system never provides those).
    const direct = !facts.libraries.some((l) => l.name === lib.neededBy);
    if (lib.path === null && (direct || allowed.has(fold(lib.name)))) {
      blockers.push(`${lib.name} (linked by ${lib.neededBy}) is not in ${root}'s ${platform.libraryDirs.join(", ")}`);
    }
    if (lib.path !== null && !allowed.has(fold(lib.name))) {
      blockers.push(`${lib.name} (needed by ${lib.neededBy}) is in the toolkit but not redistributable under ${profile.id}'s profile (${platform.redistributable.join(", ")})`);
    }
  }
  return blockers;
}

/** The toolkit's version: the first version source that gave one; a blocker when none did or its major is not the profile's. */
function toolkitVersion(target: Target, facts: RuntimeFacts): { version: string | null; blockers: string[] } {
  const found = facts.versions.find((v) => v.value !== null);
  if (!found) return { version: null, blockers: [`cannot read the toolkit's version (tried ${facts.versions.map((v) => v.source).join(", ") || "nothing"})`] };
  const major = toolkitMajor(found.value);
  if (major !== target.profile.major) {
    return { version: found.value, blockers: [`the toolkit is ${target.profile.accelerator} ${found.value} (${found.source}), not ${target.profile.major}.x as ${target.profile.id} needs`] };
  }
  return { version: found.value, blockers: [] };
}

/**
 * Decides a runtime pack from gathered facts, without touching the machine: the libraries the engine
 * links and their closure inside the toolkit (each under its link name, byte for byte), data folders,
 * licence texts, the manifest and the file names. Refusals land in `blockers`.
 */
export function planRuntimePack(options: RuntimePackOptions, facts: RuntimeFacts, cwd: string = process.cwd()): RuntimePackPlan {
  const target = resolveRuntimeTarget({ ...options, os: options.os ?? facts.host.os, arch: options.arch ?? facts.host.arch });
  const { profile, platform, os, arch } = target;
  const blockers: string[] = [];
  if (facts.toolkit.root === null) blockers.push(`no ${profile.accelerator.toUpperCase()} toolkit found (tried ${facts.toolkit.tried.join(", ")}): ${facts.toolkit.fix ?? "pass --toolkit <dir>"}`);
  const packed = facts.libraries.filter((l) => l.realPath !== null);
  blockers.push(...libraryBlockers(target, facts, packed));
  const { version, blockers: versionBlockers } = facts.toolkit.root === null ? { version: null, blockers: [] } : toolkitVersion(target, facts);
  blockers.push(...versionBlockers);
  for (const l of facts.licenses) if (l.from === null) blockers.push(`licence text for ${l.to} not found in the toolkit (tried ${l.tried.join(", ")})`);
  for (const d of facts.dataDirs) if (d.path === null) blockers.push(`data folder ${d.dir} not found beside the toolkit's libraries`);

  const fold = (n: string) => (platform.os === "windows" ? n.toLowerCase() : n);
  const allowed = new Set(platform.redistributable.map(fold));
  const files = packed.map((l) => ({ from: l.realPath!, to: `${RUNTIME_LIBRARY_DIR}/${l.name}`, name: l.name, neededBy: l.neededBy }));
  const draft = {
    runtimeId: profile.id,
    version,
    os,
    arch,
    accelerator: profile.accelerator,
    provides: files.map((f) => f.name),
    libraryDir: RUNTIME_LIBRARY_DIR,
    licenses: platform.licenses.map((l) => l.to),
    build: { profile: profile.id },
  };
  const parsed = safeParseRuntimeManifest(draft);
  const manifest: RuntimeManifest | null = parsed.ok ? parsed.value : null;
  if (!parsed.ok && blockers.length === 0) blockers.push(...parsed.issues.map((i) => `manifest ${i}`));
  const outDir = path.resolve(cwd, options.out ?? "dist/runtimes");
  const filename = manifest ? runtimeManifestFilename(manifest) : null;
  return {
    runtimeId: profile.id,
    version,
    target: { os, arch, token: options.accel },
    toolkitRoot: facts.toolkit.root,
    files,
    dataDirs: facts.dataDirs.filter((d) => d.path !== null).map((d) => ({ from: d.path!, to: `${RUNTIME_LIBRARY_DIR}/${d.dir}` })),
    licenses: facts.licenses.filter((l) => l.from !== null).map((l) => ({ from: l.from!, to: l.to })),
    system: facts.libraries.filter((l) => l.realPath === null && !allowed.has(fold(l.name))).map((l) => l.name),
    manifest,
    mtime: options.sourceDateEpoch ?? facts.sourceDateEpoch ?? facts.newestMtime,
    outDir,
    outFile: filename ? path.join(outDir, filename) : null,
    tempFile: filename ? path.join(outDir, `.${filename}.partial`) : null,
    checksumFile: filename ? path.join(outDir, `${filename}.sha256`) : null,
    blockers,
  };
}
