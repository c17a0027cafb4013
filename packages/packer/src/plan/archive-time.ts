import type { SourceFacts } from "./facts.js";

/** Which rule chose the archive entries' time (recorded as the manifest's `build.sourceDateFrom`). */
export type ArchiveTimeRule = "SOURCE_DATE_EPOCH" | "git-commit" | "npm-publish-time" | "newest-source-file";

export interface ArchiveTime {
  /** Seconds since the epoch, used for every archive entry and the manifest's `build.sourceDate`. */
  seconds: number;
  from: ArchiveTimeRule;
}

/**
 * The archive time, by the first rule that applies: `SOURCE_DATE_EPOCH` (option or environment,
 * reproducible-builds.org), else the source's last commit time, else the publish time of the npm
 * package it came from (`npmPublished`, seconds; npm gives every file the same fixed 1985 time),
 * else the newest modification time of the source tree's files (what a tarball carries, so the same
 * unpacked tarball packs to the same bytes). null only when there is no source to read yet (a clone
 * still to be made, a dry run).
 */
export function chooseArchiveTime(sourceDateEpoch: number | null, source: SourceFacts | null, npmPublished: number | null = null): ArchiveTime | null {
  if (sourceDateEpoch !== null) return { seconds: sourceDateEpoch, from: "SOURCE_DATE_EPOCH" };
  if (source?.commitTime != null) return { seconds: source.commitTime, from: "git-commit" };
  if (npmPublished !== null) return { seconds: npmPublished, from: "npm-publish-time" };
  if (source?.newestFileTime != null) return { seconds: source.newestFileTime, from: "newest-source-file" };
  return null;
}
