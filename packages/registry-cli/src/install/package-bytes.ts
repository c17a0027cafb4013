import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { ByteSource } from "../verifier-port.js";
import { PackageDownload } from "./download.js";
import type { DownloadTuning, InstallDeps, InstallTarget } from "./install-target.js";

/**
 * A package's bytes as the verifier pulls them, one reader whatever their source: a local file is
 * read from disk, a download (HTTP(S) or a file:// mirror) arrives through PackageDownload with its
 * partial file, resume and retries. Either way the verifier hashes, checks and extracts in the one pass.
 */
export interface PackageBytes {
  source: ByteSource;
  /** Whether some of the bytes came from what an earlier attempt or run kept (a resume). */
  readonly resumed: boolean;
  /** Drops what is kept for a resume (the partial file and its record); nothing for a local file. */
  discard(): Promise<void>;
}

/** Opens the target's bytes for one pass. Throws the file system's error for a local file that cannot be read. */
export async function openPackageBytes(target: InstallTarget, deps: Pick<InstallDeps, "reporter" | "signal">, tuning: DownloadTuning): Promise<PackageBytes> {
  const s = target.source;
  if (s.kind === "file") {
    const { size } = await stat(s.path);
    return { source: { name: target.filename, size, chunks: createReadStream(s.path, { highWaterMark: 1 << 20 }) }, resumed: false, discard: async () => {} };
  }
  const download = new PackageDownload({
    url: s.url,
    part: target.part!,
    expectedSize: s.size,
    expectedSha256: s.sha256,
    ...tuning,
    ...(deps.reporter ? { reporter: deps.reporter } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  return {
    source: { name: target.filename, size: s.size, chunks: download.chunks() },
    get resumed() {
      return download.resumed;
    },
    discard: () => download.discard(),
  };
}
