import path from "node:path";
import { devBuildFacts, type EngineProfile, exampleVersion, type EngineSource, sourceTag, versionOfTag } from "@baiengine/profiles";
import { checkNamePart } from "@baiengine/schema";
import { SourceError, UnknownProfileError } from "../errors.js";
import type { PackFacts, SourceFacts } from "./facts.js";
import type { PackOptions } from "./plan-types.js";
import type { Refusals } from "./refusals.js";
import { type ArchiveTimeRule, chooseArchiveTime } from "./archive-time.js";
import { UNKNOWN_VERSION } from "./unknown-version.js";

/** An npm package that carries the engine's source (profile source kind `npm`), and the cache folder it is unpacked into. */
export interface NpmFetch {
  spec: string;
  folder: string;
}

/** Where the source shipped in `source`'s npm package is unpacked in the cache: `<cache>/sources/npm-<name>-<version>`, the package's `package/` inside. */
export function npmSourceFolder(cacheDir: string, source: Extract<EngineSource, { kind: "npm" }>): { folder: string; dir: string } {
  const folder = path.join(cacheDir, "sources", `npm-${source.package.replace(/^@/, "").replace("/", "-")}-${source.version}`);
  return { folder, dir: path.join(folder, "package", source.dir) };
}

/** Where the engine's source is, which version it is, and the time every archive entry gets. */
export interface PackSource {
  /** The source folder; null only for a dry run without one. */
  dir: string | null;
  /** Clone this tag into `dir` before building (no --source given). */
  clone: { repository: string; tag: string } | null;
  /** Fetch this npm package (`nodejs-whisper@0.3.1`) with `npm pack` and unpack it into `folder` before building; `dir` is inside it. */
  npm: NpmFetch | null;
  /** What the folder was read to be (git commit, tag, declared version, identity); null when it does not exist yet. */
  facts: SourceFacts | null;
  version: string;
  /** Where the version came from: `--version`, `git tag`, `CMakeLists.txt`. */
  versionFrom: string;
  /** Seconds since the epoch for every archive entry (see chooseArchiveTime); null: no source to read yet. */
  mtime: number | null;
  /** Which rule chose `mtime`. */
  mtimeFrom: ArchiveTimeRule | null;
  /** Defines the source's version rule decides (its dev option, OFF only at the release tag). */
  defines: Record<string, string>;
  /** The npm package the source came from (`nodejs-whisper@0.3.1`), or null: the manifest's `build.sourcePackage`. */
  npmPackage: string | null;
}

/**
 * Step 3 of planPack: the source folder (--source, the profile's local folder, or a clone of the
 * version's tag into the cache), the version (--version, the source's tag, what its CMake files
 * declare: never made up) and the archive time. Throws SourceError when there is neither a source
 * nor a version to clone, UnknownProfileError for a version unfit for a file name; refuses a missing
 * or foreign folder, an unknown version and a missing time.
 */
export function planSource(options: PackOptions, facts: PackFacts, engine: EngineProfile, refusals: Refusals): PackSource {
  const { dir, clone, npm } = sourceFolder(options, facts, engine, refusals);
  const source = facts.source;
  if (source === null) {
    if (clone === null && npm === null && dir !== null) refusals.refuse(new SourceError(`${dir} does not exist`, `pass --source with a ${engine.name} checkout`));
  } else if (source.missingMarkers.length > 0) {
    const where = engine.source.kind === "local" ? "" : ` (${engine.source.repository})`;
    refusals.refuse(new SourceError(`${source.dir} is not a ${engine.name} source tree (missing ${source.missingMarkers.join(", ")})`, `pass --source with a ${engine.name} checkout${where}`));
  }
  // A source still to fetch declares its version once fetched (pack plans again then).
  const { version, versionFrom } = pickVersion(options, source, engine, npm === null ? dir : null, refusals);
  const fromNpm = engine.source.kind === "npm" && options.source === undefined ? engine.source : null;
  const npmPackage = fromNpm ? `${fromNpm.package}@${fromNpm.version}` : null;
  const time = chooseArchiveTime(options.sourceDateEpoch ?? facts.sourceDateEpoch ?? null, source, fromNpm ? Date.parse(fromNpm.published) / 1000 : null);
  // A folder that is not the engine's source was refused above; its files' times are not read.
  if (time === null && clone === null && npm === null && source !== null && source.missingMarkers.length === 0) refusals.refuse(new SourceError(`no time for the archive entries: ${source.dir} has no commit and no files`, "set SOURCE_DATE_EPOCH"));
  const defines = declaredBuild(source)?.defines ?? {};
  return { dir, clone, npm, facts: source, version, versionFrom, mtime: time?.seconds ?? null, mtimeFrom: time?.from ?? null, defines, npmPackage };
}

function sourceFolder(options: PackOptions, facts: PackFacts, engine: EngineProfile, refusals: Refusals): Pick<PackSource, "dir" | "clone" | "npm"> {
  // A source tarball was unpacked into the cache while gathering facts: build that folder.
  if (options.source !== undefined) return { dir: facts.source?.archive ? facts.source.dir : path.resolve(facts.cwd, options.source), clone: null, npm: null };
  if (engine.source.kind === "local") return { dir: path.join(facts.packerRoot, engine.source.dir), clone: null, npm: null };
  if (engine.source.kind === "npm") {
    const { folder, dir } = npmSourceFolder(facts.cacheDir, engine.source);
    const spec = `${engine.source.package}@${engine.source.version}`;
    if (facts.source !== null) return { dir, clone: null, npm: null };
    if (!facts.network) refusals.refuse(new SourceError(`no network to fetch ${spec} (it carries the ${engine.name} source)`, `pass --source <dir or .tar.gz> with a ${engine.name} source`));
    return { dir, clone: null, npm: { spec, folder } };
  }
  if (options.version === undefined) {
    // A dry run plans without a source, the version unknown; a real pack stops here.
    refusals.refuse(new SourceError(`no ${engine.name} source and no version to clone`, `pass --source <dir or .tar.gz> with a ${engine.name} source, or ${versionHint(engine.source)} to clone its tag`));
    return { dir: null, clone: null, npm: null };
  }
  const tag = sourceTag(engine.source, options.version);
  if (!facts.network && facts.source === null) {
    refusals.refuse(new SourceError(`no network to clone ${engine.source.repository} at ${tag}`, `pass --source <dir> with a ${engine.name} checkout`));
  }
  return { dir: path.join(facts.cacheDir, "sources", `${engine.id}-${tag}`), clone: { repository: engine.source.repository, tag }, npm: null };
}

/**
 * The define of the declared version's dev rule (the profile's `dev.option`: OFF at its release tag,
 * ON elsewhere), and what the version is when nothing else names it: X.Y.Z at the release tag, the
 * rule's development version elsewhere; X.Y.Z as declared without a dev rule.
 */
function declaredBuild(source: SourceFacts | null): { defines: Record<string, string>; version: string; release: boolean } | null {
  const declared = source?.declared;
  if (!declared) return null;
  const dev = declared.rule.kind === "cmake-set" ? declared.rule.dev : undefined;
  if (!dev) return { defines: {}, version: declared.version, release: false };
  const facts = devBuildFacts(dev, declared.version, source.tag);
  return { defines: { [dev.option]: facts.optionValue }, version: facts.release ? declared.version : facts.devVersion, release: facts.release };
}

/** --version, else X.Y.Z at the dev rule's release tag, else the source's tag, else what its CMake files declare; a dry run without one plans the version as unknown. */
function pickVersion(options: PackOptions, source: SourceFacts | null, engine: EngineProfile, dir: string | null, refusals: Refusals): Pick<PackSource, "version" | "versionFrom"> {
  let picked: Pick<PackSource, "version" | "versionFrom">;
  const declared = declaredBuild(source);
  const from = source?.declared?.rule.file ?? "";
  if (options.version !== undefined) picked = { version: options.version, versionFrom: "--version" };
  else if (declared?.release) picked = { version: declared.version, versionFrom: `${from} at release tag ${source?.tag}` };
  else if (source?.tag) picked = { version: (engine.source.kind === "git" ? versionOfTag(engine.source, source.tag) : null) ?? source.tag, versionFrom: "git tag" };
  else if (declared) picked = { version: declared.version, versionFrom: from };
  else {
    if (dir !== null) refusals.refuse(new SourceError(`cannot tell the ${engine.name} version of ${dir}`, "pass --version <version>"));
    picked = { version: UNKNOWN_VERSION, versionFrom: "unknown" };
  }
  const problem = picked.version === UNKNOWN_VERSION ? null : checkNamePart("version", picked.version);
  if (problem) throw new UnknownProfileError(problem, `pass ${versionHint(engine.source)}`);
  return picked;
}

/** `--version 827-97d2990 (git tag master-827-97d2990)`: the profile's example. */
function versionHint(source: EngineSource): string {
  return source.kind === "git" ? `--version ${exampleVersion(source)}` : "--version with a version such as 0.5.0";
}
