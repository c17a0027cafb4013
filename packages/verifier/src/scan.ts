import { createHash } from "node:crypto";
import { open, stat } from "node:fs/promises";
import { basename } from "node:path";
import type { Manifest, Registry, Reporter, RuntimeManifest } from "@baiengine/schema";
import { GzipMemberReader } from "./archive/gzip-stream.js";
import { type TarEntry, TarReader } from "./archive/tar-reader.js";
import { type ContentsCheck, checkContents } from "./contents.js";
import { errorFinding, type Finding } from "./findings.js";
import type { LibraryRequirements, RuntimeLink } from "./libraries.js";
import { type Limits, resolveLimits } from "./limits.js";
import { EntrySet } from "./rules/entry-safety.js";
import { checkRegistry } from "./rules/registry.js";
import { EntryCollector, type EntryWriter } from "./scan-entries.js";

export type { EntryWriter } from "./scan-entries.js";

/**
 * Package bytes that are not (yet) a file: a download in progress. `chunks` yields the compressed
 * bytes in order; a buffer may be reused once the next one is requested. An error thrown by it
 * ends the scan with that error.
 */
export interface ByteSource {
  /** The package's file name: checked against the manifest, and used in messages. */
  name: string;
  /** Total size in bytes when known (progress only), else 0. */
  size: number;
  chunks: AsyncIterable<Buffer>;
}

export interface ScanOptions {
  expectedFilename?: string;
  registry?: Registry;
  limits?: Partial<Limits>;
  reporter?: Reporter;
  signal?: AbortSignal;
  writer?: EntryWriter;
}

export interface ScanResult {
  findings: Finding[];
  sha256: string;
  size: number;
  manifest: Manifest | null;
  /** The manifest of a runtime pack (`.bairuntime`), whose checks replace the engine package's. */
  runtimeManifest: RuntimeManifest | null;
  requirements: LibraryRequirements;
  /** An engine package's GPU runtime libraries linked but not bundled, with the binaries that link each. */
  runtimeLinks: RuntimeLink[];
  entries: number;
  uncompressedSize: number;
  /** Every entry seen, in archive order. */
  entryList: TarEntry[];
  entrySet: EntrySet;
}

const READ_CHUNK = 1 << 20;
/** The ratio limit only applies once this much was inflated (tiny archives compress absurdly well). */
const RATIO_GRACE = 1 << 20;

/**
 * The one streaming pass behind verification and extraction: read the file once, hash the
 * compressed bytes, inflate, walk the tar, check every entry, capture the manifest and read native
 * binaries' headers as their data passes. Memory stays bounded whatever the package size.
 */
export async function scanPackage(source: string | ByteSource, options: ScanOptions = {}): Promise<ScanResult> {
  const findings: Finding[] = [];
  const file = typeof source === "string" ? source : source.name;
  const fileSize = typeof source === "string" ? await regularFileSize(file) : source.size;
  if (typeof fileSize === "string") return emptyResult([errorFinding("FILE_UNREADABLE", `cannot read ${file}: ${fileSize}`)]);
  const pass = new StreamingPass(resolveLimits(options.limits), findings, options.writer);
  const reporter = options.reporter ?? {};
  reporter.step?.("verify", basename(file));
  for await (const chunk of typeof source === "string" ? readChunks(file) : source.chunks) {
    options.signal?.throwIfAborted();
    await pass.push(chunk);
    reporter.progress?.("verify", pass.compressed, fileSize);
  }
  const walked = await pass.finish();
  const { entrySet, entryList } = pass.collector;
  findings.push(...entrySet.finish());

  const sha256 = pass.sha256();
  let contents: ContentsCheck = { findings: [], manifest: null, runtimeManifest: null, requirements: { systemLibraries: [] }, runtimeLinks: [] };
  if (walked && !pass.collector.dotPrefixed) contents = checkContents(pass.collector, options.expectedFilename ?? basename(file));
  findings.push(...contents.findings);
  if (options.registry) findings.push(...checkRegistry(options.registry, basename(file), { size: pass.compressed, sha256 }, contents.manifest));
  return {
    findings,
    sha256,
    size: pass.compressed,
    manifest: contents.manifest,
    runtimeManifest: contents.runtimeManifest,
    requirements: contents.requirements,
    runtimeLinks: contents.runtimeLinks,
    entries: entryList.length,
    uncompressedSize: pass.uncompressedSize,
    entryList,
    entrySet,
  };
}

/** The file's size, or why it cannot be read as a regular file. */
async function regularFileSize(file: string): Promise<number | string> {
  try {
    const st = await stat(file);
    if (!st.isFile()) return "not a regular file";
    return st.size;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The pipeline of one pass: sha256 of the compressed bytes, gzip members, the tar walk, and the
 * size and ratio limits that abort it. `push` the file's chunks, then `finish`.
 */
class StreamingPass {
  readonly collector: EntryCollector;
  compressed = 0;
  private readonly hash = createHash("sha256");
  private readonly tar: TarReader;
  private readonly gzip: GzipMemberReader;
  private aborted = false;

  constructor(
    private readonly limits: Limits,
    private readonly findings: Finding[],
    writer?: EntryWriter,
  ) {
    const add = (f: Finding) => findings.push(f);
    this.collector = new EntryCollector(limits, findings, (f) => this.abort(f), writer);
    this.tar = new TarReader(this.collector, add, { maxExtensionHeaderSize: limits.maxExtensionHeaderSize });
    this.gzip = new GzipMemberReader((chunk) => this.inflated(chunk), add);
  }

  get uncompressedSize(): number {
    return this.gzip.uncompressedSize;
  }

  async push(chunk: Buffer): Promise<void> {
    this.hash.update(chunk);
    this.compressed += chunk.length;
    await this.gzip.push(chunk);
  }

  /** Ends the pass; true when the whole archive was walked (no fatal finding, no limit hit). */
  async finish(): Promise<boolean> {
    await this.gzip.finish();
    if (!this.gzip.failed && !this.aborted) this.tar.finish();
    return !this.gzip.failed && !this.tar.failed && !this.aborted;
  }

  sha256(): string {
    return this.hash.digest("hex");
  }

  private inflated(chunk: Buffer): void {
    const total = this.gzip.uncompressedSize;
    if (total > this.limits.maxUncompressedSize) {
      this.abort(errorFinding("LIMIT_UNCOMPRESSED_SIZE", `uncompressed data exceeds the limit of ${this.limits.maxUncompressedSize} bytes`));
      return;
    }
    if (total > RATIO_GRACE && total > this.limits.maxCompressionRatio * this.compressed) {
      this.abort(errorFinding("LIMIT_COMPRESSION_RATIO", `compression ratio exceeds ${this.limits.maxCompressionRatio}:1 (a decompression bomb?)`));
      return;
    }
    this.tar.push(chunk);
    if (this.tar.failed) this.gzip.stop();
  }

  private abort(finding: Finding): void {
    if (!this.aborted) this.findings.push(finding);
    this.aborted = true;
    this.tar.stop();
    this.gzip.stop();
  }
}

/**
 * The file's bytes in READ_CHUNK pieces from a few buffers used in turn, so that reading allocates
 * nothing per chunk. A buffer is reused only after the gzip reader is done with it: `push` resolves
 * once inflate has consumed its input, and the reader keeps copies of what it retains.
 */
async function* readChunks(file: string): AsyncGenerator<Buffer> {
  const handle = await open(file, "r");
  const buffers = [Buffer.allocUnsafe(READ_CHUNK), Buffer.allocUnsafe(READ_CHUNK), Buffer.allocUnsafe(READ_CHUNK)];
  try {
    for (let turn = 0; ; turn++) {
      const buffer = buffers[turn % buffers.length]!;
      const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

function emptyResult(findings: Finding[]): ScanResult {
  return { findings, sha256: "", size: 0, manifest: null, runtimeManifest: null, requirements: { systemLibraries: [] }, runtimeLinks: [], entries: 0, uncompressedSize: 0, entryList: [], entrySet: new EntrySet() };
}
