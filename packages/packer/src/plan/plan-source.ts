import path from "node:path";
import { type EngineProfile, sourceTag } from "@baiengine/profiles";
import { checkNamePart } from "@baiengine/schema";
import { SourceError, UnknownProfileError } from "../errors.js";
import type { PackFacts, SourceFacts } from "./facts.js";
import type { PackOptions } from "./plan-types.js";
import type { Refusals } from "./refusals.js";

/** Where the engine's source is, which version it is, and the time every archive entry gets. */
export interface PackSource {
  /** The source folder; null only for a dry run without one. */
  dir: string | null;
  /** Clone this tag into `dir` before building (no --source given). */
  clone: { repository: string; tag: string } | null;
  /** What the folder was read to be (git commit, tag, declared version, identity); null when it does not exist yet. */
  facts: SourceFacts | null;
  version: string;
  /** Where the version came from: `--version`, `git tag`, `CMakeLists.txt`. */
  versionFrom: string;
  /** Seconds since the epoch for every archive entry: SOURCE_DATE_EPOCH, else the commit time. */
  mtime: number | null;
}

/**
 * Step 3 of planPack: the source folder (--source, the profile's local folder, or a clone of the
 * version's tag into the cache), the version (--version, the source's tag, what its CMake files
 * declare: never made up) and the archive time. Throws SourceError when there is neither a source
 * nor a version to clone, UnknownProfileError for a version unfit for a file name; refuses a missing
 * or foreign folder, an unknown version and a missing time.
 */
export function planSource(options: PackOptions, facts: PackFacts, engine: EngineProfile, refusals: Refusals): PackSource {
  const { dir, clone } = sourceFolder(options, facts, engine, refusals);
  const source = facts.source;
  if (source === null) {
    if (clone === null) refusals.refuse(new SourceError(`${dir} does not exist`, `pass --source with a ${engine.name} checkout`));
  } else if (source.missingMarkers.length > 0) {
    const where = engine.source.kind === "git" ? ` (${engine.source.repository})` : "";
    refusals.refuse(new SourceError(`${source.dir} is not a ${engine.name} source tree (missing ${source.missingMarkers.join(", ")})`, `pass --source with a ${engine.name} checkout${where}`));
  }
  const { version, versionFrom } = pickVersion(options, source, engine, dir, refusals);
  const mtime = options.sourceDateEpoch ?? facts.sourceDateEpoch ?? source?.commitTime ?? null;
  if (mtime === null && clone === null) refusals.refuse(new SourceError("no time for the archive entries: the source has no commit time", "set SOURCE_DATE_EPOCH"));
  return { dir, clone, facts: source, version, versionFrom, mtime };
}

function sourceFolder(options: PackOptions, facts: PackFacts, engine: EngineProfile, refusals: Refusals): Pick<PackSource, "dir" | "clone"> {
  if (options.source !== undefined) return { dir: path.resolve(facts.cwd, options.source), clone: null };
  if (engine.source.kind === "local") return { dir: path.join(facts.packerRoot, engine.source.dir), clone: null };
  if (options.version === undefined) {
    throw new SourceError(`no ${engine.name} source and no version to clone`, `pass --source <dir> with a ${engine.name} checkout, or --version <tag> to clone it`);
  }
  const tag = sourceTag(engine.source, options.version);
  if (!facts.network && facts.source === null) {
    refusals.refuse(new SourceError(`no network to clone ${engine.source.repository} at ${tag}`, `pass --source <dir> with a ${engine.name} checkout`));
  }
  return { dir: path.join(facts.cacheDir, "sources", `${engine.id}-${tag}`), clone: { repository: engine.source.repository, tag } };
}

/** --version, else the source's tag, else what its CMake files declare; a dry run without one plans `0.0.0`. */
function pickVersion(options: PackOptions, source: SourceFacts | null, engine: EngineProfile, dir: string | null, refusals: Refusals): Pick<PackSource, "version" | "versionFrom"> {
  let picked: Pick<PackSource, "version" | "versionFrom">;
  if (options.version !== undefined) picked = { version: options.version, versionFrom: "--version" };
  else if (source?.tag) picked = { version: source.tag, versionFrom: "git tag" };
  else if (source?.declaredVersion) picked = { version: source.declaredVersion, versionFrom: engine.versionRules.map((r) => r.file).join(", ") };
  else {
    refusals.refuse(new SourceError(`cannot tell the ${engine.name} version of ${dir}`, "pass --version <version>"));
    picked = { version: "0.0.0", versionFrom: "placeholder (unknown)" };
  }
  const problem = checkNamePart("version", picked.version);
  if (problem) throw new UnknownProfileError(problem, "pass --version with a version such as b4618 or 0.5.0");
  return picked;
}
