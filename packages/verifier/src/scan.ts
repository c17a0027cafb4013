import { createHash } from "node:crypto";
import { open, stat } from "node:fs/promises";
import { basename } from "node:path";
import type { Manifest, Registry, Reporter } from "@baiengine/schema";
import { GzipMemberReader } from "./archive/gzip-stream.js";
import { type TarEntry, TarReader } from "./archive/tar-reader.js";
import { BinaryFormatError, type BinaryInfo } from "./binary/binary-info.js";
import { BinaryScanner } from "./binary/binary-scanner.js";
import { errorFinding, type Finding, hasErrors } from "./findings.js";
import { checkLibraries, type PackageBinary, type PackageSymlink } from "./libraries.js";
import { type Limits, resolveLimits } from "./limits.js";
import { checkEntry, EntrySet, PACKAGE_ROOT } from "./rules/entry-safety.js";
import { checkManifest, MANIFEST_PATH } from "./rules/manifest.js";
import { checkRegistry } from "./rules/registry.js";
import { checkServerBinary } from "./rules/server-binary.js";

/** Receives entries as they stream by, for extraction; `clean` is false once any error was found. */
export interface EntryWriter {
  entry(entry: TarEntry, clean: boolean): ((chunk: Buffer) => void) | null;
  entryEnd(entry: TarEntry): void;
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
  requirements: { glibc?: string; glibcxx?: string; macosMin?: string; systemLibraries: string[] };
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
export async function scanPackage(file: string, options: ScanOptions = {}): Promise<ScanResult> {
  const limits = resolveLimits(options.limits);
  const reporter = options.reporter ?? {};
  const findings: Finding[] = [];
  const hash = createHash("sha256");
  const entrySet = new EntrySet();
  const entryList: TarEntry[] = [];
  const binaries = new Map<string, BinaryInfo>();
  const binaryErrors = new Map<string, string>();
  let manifestBytes: Buffer | null = null;
  let compressed = 0;
  let aborted = false;
  const add = (f: Finding) => findings.push(f);

  let fileSize = 0;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new Error("not a regular file");
    fileSize = st.size;
  } catch (error) {
    add(errorFinding("FILE_UNREADABLE", `cannot read ${file}: ${(error as Error).message}`));
    return emptyResult(findings, entrySet);
  }

  const abort = (finding: Finding) => {
    if (!aborted) add(finding);
    aborted = true;
    tar.stop();
    gzip.stop();
  };

  const visitor = {
    entry(entry: TarEntry): ((chunk: Buffer) => void) | null {
      entryList.push(entry);
      if (entryList.length > limits.maxEntries) {
        abort(errorFinding("LIMIT_ENTRY_COUNT", `more than ${limits.maxEntries} entries`));
        return null;
      }
      const own = [...checkEntry(entry, limits), ...entrySet.add(entry)];
      findings.push(...own);
      const sinks: ((chunk: Buffer) => void)[] = [];
      const writerSink = options.writer?.entry(entry, !hasErrors(findings));
      if (writerSink) sinks.push(writerSink);
      if (entry.type === "file") {
        if (entry.path === MANIFEST_PATH && manifestBytes === null) {
          if (entry.size > limits.maxManifestSize) {
            add(errorFinding("LIMIT_MANIFEST_SIZE", `manifest is ${entry.size} bytes, over the limit of ${limits.maxManifestSize}`, entry.path));
          } else {
            const parts: Buffer[] = [];
            manifestBytes = Buffer.alloc(0);
            sinks.push((chunk) => parts.push(Buffer.from(chunk)));
            pendingManifest = parts;
          }
        }
        const scanner = new BinaryScanner();
        scanners.set(entry, scanner);
        sinks.push((chunk) => scanner.push(chunk));
      }
      if (sinks.length === 0) return null;
      if (sinks.length === 1) return sinks[0]!;
      return (chunk) => {
        for (const sink of sinks) sink(chunk);
      };
    },
    entryEnd(entry: TarEntry): void {
      options.writer?.entryEnd(entry);
      if (pendingManifest && entry.path === MANIFEST_PATH) {
        manifestBytes = Buffer.concat(pendingManifest);
        pendingManifest = null;
      }
      const scanner = scanners.get(entry);
      if (!scanner) return;
      scanners.delete(entry);
      const rel = entry.path.slice(PACKAGE_ROOT.length + 1);
      try {
        const info = scanner.finish();
        if (info) binaries.set(rel, info);
      } catch (error) {
        if (!(error instanceof BinaryFormatError)) throw error;
        binaryErrors.set(rel, error.message);
      }
    },
  };
  let pendingManifest: Buffer[] | null = null;
  const scanners = new Map<TarEntry, BinaryScanner>();

  const tar = new TarReader(visitor, add, { maxExtensionHeaderSize: limits.maxExtensionHeaderSize });
  const gzip = new GzipMemberReader((chunk) => {
    const total = gzip.uncompressedSize;
    if (total > limits.maxUncompressedSize) {
      return abort(errorFinding("LIMIT_UNCOMPRESSED_SIZE", `uncompressed data exceeds the limit of ${limits.maxUncompressedSize} bytes`));
    }
    if (total > RATIO_GRACE && total > limits.maxCompressionRatio * compressed) {
      return abort(
        errorFinding("LIMIT_COMPRESSION_RATIO", `compression ratio exceeds ${limits.maxCompressionRatio}:1 (a decompression bomb?)`),
      );
    }
    tar.push(chunk);
    if (tar.failed) gzip.stop();
  }, add);

  reporter.step?.("verify", basename(file));
  for await (const chunk of readChunks(file)) {
    options.signal?.throwIfAborted();
    hash.update(chunk);
    compressed += chunk.length;
    await gzip.push(chunk);
    reporter.progress?.("verify", compressed, fileSize);
  }
  await gzip.finish();
  if (!gzip.failed && !aborted) tar.finish();
  const walked = !gzip.failed && !tar.failed && !aborted;
  findings.push(...entrySet.finish());

  const sha256 = hash.digest("hex");
  let manifest: Manifest | null = null;
  let requirements: ScanResult["requirements"] = { systemLibraries: [] };
  if (walked) {
    const expectedFilename = options.expectedFilename ?? basename(file);
    const checked = checkManifest(manifestBytes, expectedFilename);
    findings.push(...checked.findings);
    manifest = checked.manifest;
    if (manifest) {
      const serverPath = `${PACKAGE_ROOT}/${manifest.serverBinary}`;
      findings.push(
        ...checkServerBinary(manifest, entrySet.files.get(serverPath) ?? symlinkEntry(entryList, serverPath), binaries.get(manifest.serverBinary), binaryErrors.get(manifest.serverBinary)),
      );
      for (const [path, message] of binaryErrors) {
        if (path !== manifest.serverBinary) findings.push(errorFinding("BINARY_CORRUPT", `native binary with corrupt headers: ${message}`, `${PACKAGE_ROOT}/${path}`));
      }
      const packageBinaries: PackageBinary[] = [...binaries].map(([path, info]) => ({ path, info }));
      const symlinks: PackageSymlink[] = [];
      for (const [link, target] of entrySet.symlinks) {
        if (link.startsWith(`${PACKAGE_ROOT}/`)) symlinks.push({ path: link.slice(PACKAGE_ROOT.length + 1), target });
      }
      const libraries = checkLibraries(
        packageBinaries,
        { os: manifest.os, arch: manifest.arch },
        { symlinks, serverBinary: manifest.serverBinary, declaredSystemLibraries: manifest.requirements?.systemLibraries ?? [] },
      );
      findings.push(...libraries.findings);
      requirements = libraries.requirements;
    }
  }
  if (options.registry) findings.push(...checkRegistry(options.registry, basename(file), { size: compressed, sha256 }, manifest));

  return {
    findings,
    sha256,
    size: compressed,
    manifest,
    requirements,
    entries: entryList.length,
    uncompressedSize: gzip.uncompressedSize,
    entryList,
    entrySet,
  };
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

function symlinkEntry(entries: TarEntry[], path: string): TarEntry | undefined {
  return entries.find((e) => e.path === path);
}

function emptyResult(findings: Finding[], entrySet: EntrySet): ScanResult {
  return { findings, sha256: "", size: 0, manifest: null, requirements: { systemLibraries: [] }, entries: 0, uncompressedSize: 0, entryList: [], entrySet };
}
