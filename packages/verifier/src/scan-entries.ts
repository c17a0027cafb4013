import type { TarEntry, TarVisitor } from "./archive/tar-reader.js";
import { BinaryFormatError, type BinaryInfo } from "./binary/binary-info.js";
import { BinaryScanner, HeadScratch } from "./binary/binary-scanner.js";
import { errorFinding, type Finding, hasErrors } from "./findings.js";
import type { Limits } from "./limits.js";
import { checkEntry, EntrySet, PACKAGE_ROOT } from "./rules/entry-safety.js";
import { MANIFEST_PATH } from "./rules/manifest.js";

/** Receives entries as they stream by, for extraction; `clean` is false once any error was found. */
export interface EntryWriter {
  entry(entry: TarEntry, clean: boolean): ((chunk: Buffer) => void) | null;
  entryEnd(entry: TarEntry): void;
}

/**
 * The tar visitor of the scan: checks each entry as it streams by, hands it to the writer,
 * keeps the manifest's bytes and reads every regular file's binary headers from its data.
 * What it gathers (manifest bytes, binaries keyed by their path under package/) feeds the
 * checks that need the whole package (`checkContents`).
 */
export class EntryCollector implements TarVisitor {
  readonly entrySet = new EntrySet();
  /** Every entry seen, in archive order. */
  readonly entryList: TarEntry[] = [];
  readonly binaries = new Map<string, BinaryInfo>();
  readonly binaryErrors = new Map<string, string>();
  /**
   * Whether entries are named `./package/...` (`tar -C DIR -czf FILE .`): one finding says how to
   * re-pack, and the package-level checks are skipped (their "no manifest" would be untrue).
   */
  dotPrefixed = false;
  /** The manifest's bytes; null when the package has none (or it was over the size limit). */
  manifestBytes: Buffer | null = null;
  private manifestParts: Buffer[] | null = null;
  private readonly scanners = new Map<TarEntry, BinaryScanner>();
  /** Entries stream one after another, so one scanner at a time holds the head. */
  private readonly headScratch = new HeadScratch();

  constructor(
    private readonly limits: Limits,
    private readonly findings: Finding[],
    private readonly abort: (finding: Finding) => void,
    private readonly writer?: EntryWriter,
  ) {}

  entry(entry: TarEntry): ((chunk: Buffer) => void) | null {
    this.entryList.push(entry);
    if (this.entryList.length > this.limits.maxEntries) {
      this.abort(errorFinding("LIMIT_ENTRY_COUNT", `more than ${this.limits.maxEntries} entries`));
      return null;
    }
    if (entry.path === "." || entry.path.startsWith("./")) {
      // Every such entry would repeat the same two findings; one says what to do.
      if (!this.dotPrefixed) this.findings.push(dotPrefixFinding(entry.path));
      this.dotPrefixed = true;
      this.writer?.entry(entry, false);
      return null;
    }
    this.findings.push(...checkEntry(entry, this.limits), ...this.entrySet.add(entry));
    const sinks: ((chunk: Buffer) => void)[] = [];
    const writerSink = this.writer?.entry(entry, !hasErrors(this.findings));
    if (writerSink) sinks.push(writerSink);
    if (entry.type === "file") {
      const manifestSink = this.manifestSink(entry);
      if (manifestSink) sinks.push(manifestSink);
      const scanner = new BinaryScanner({ sizeHint: entry.size, scratch: this.headScratch });
      this.scanners.set(entry, scanner);
      sinks.push((chunk) => scanner.push(chunk));
    }
    return fanOut(sinks);
  }

  entryEnd(entry: TarEntry): void {
    this.writer?.entryEnd(entry);
    if (this.manifestParts && entry.path === MANIFEST_PATH) {
      this.manifestBytes = Buffer.concat(this.manifestParts);
      this.manifestParts = null;
    }
    const scanner = this.scanners.get(entry);
    if (!scanner) return;
    this.scanners.delete(entry);
    const rel = entry.path.slice(PACKAGE_ROOT.length + 1);
    try {
      const info = scanner.finish();
      if (info) this.binaries.set(rel, info);
    } catch (error) {
      if (!(error instanceof BinaryFormatError)) throw error;
      this.binaryErrors.set(rel, error.message);
    }
  }

  /** A sink that keeps the first manifest's bytes, or null (not the manifest, a later copy, or over the limit). */
  private manifestSink(entry: TarEntry): ((chunk: Buffer) => void) | null {
    if (entry.path !== MANIFEST_PATH || this.manifestBytes !== null || this.manifestParts !== null) return null;
    if (entry.size > this.limits.maxManifestSize) {
      this.findings.push(errorFinding("LIMIT_MANIFEST_SIZE", `manifest is ${entry.size} bytes, over the limit of ${this.limits.maxManifestSize}`, entry.path));
      return null;
    }
    const parts: Buffer[] = [];
    this.manifestParts = parts;
    return (chunk) => parts.push(Buffer.from(chunk));
  }
}

/**
 * Readers disagree on `./package/x`: GNU tar and bsdtar extract it as package/x, strict readers (this
 * one, and the app's, which looks for `package/manifest.json` by name) do not find it. The fix is a
 * one-word change of the packing command.
 */
function dotPrefixFinding(path: string): Finding {
  return errorFinding(
    "ARCHIVE_DOT_PREFIX",
    "entries are named ./package/... (an archive made with `tar -C DIR -czf FILE .`), not package/...; re-pack naming the folder instead of '.': `tar -C DIR -czf FILE package`",
    path,
  );
}

/** One sink that feeds every given sink; null when there is none. */
function fanOut(sinks: ((chunk: Buffer) => void)[]): ((chunk: Buffer) => void) | null {
  if (sinks.length === 0) return null;
  if (sinks.length === 1) return sinks[0]!;
  return (chunk) => {
    for (const sink of sinks) sink(chunk);
  };
}
