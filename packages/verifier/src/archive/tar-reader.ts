import { errorFinding, type Finding } from "../findings.js";
import { parsePaxRecords } from "./pax.js";
import { BLOCK, cString, isZero, OCTAL_SIZE_MAX, readTarHeader, type TarHeader } from "./tar-header.js";

export type TarEntryType = "file" | "directory" | "symlink" | "hardlink" | "character-device" | "block-device" | "fifo" | "unsupported";

/** One archive member after its PAX and GNU long-name headers were applied. */
export interface TarEntry {
  /** Name with PAX/GNU long names applied, a trailing `/` of directories removed. */
  path: string;
  type: TarEntryType;
  /** Raw type flag character, e.g. "0", "5", "2". */
  typeflag: string;
  mode: number;
  size: number;
  linkpath: string;
  uid: number;
  gid: number;
  mtime: number;
  /** Byte offset of the entry's header in the uncompressed archive. */
  offset: number;
  /** Name or link target had bytes that are not UTF-8 (decoded as latin-1). */
  invalidEncoding: boolean;
}

/** Receives the entries of an archive; return a data sink to get an entry's content. */
export interface TarVisitor {
  entry(entry: TarEntry): ((chunk: Buffer) => void) | null;
  entryEnd?(entry: TarEntry): void;
}

export interface TarReaderOptions {
  /** Largest PAX or GNU long-name header accepted (bytes). */
  maxExtensionHeaderSize: number;
}

const ZERO_BLOCK = Buffer.alloc(BLOCK);

interface PendingExtensions {
  longName?: string;
  longLink?: string;
  pax?: Map<string, string>;
  invalidEncoding: boolean;
}

/**
 * A push-based tar walker (ustar, GNU and PAX): headers are parsed by hand so that every entry is
 * seen exactly as an extractor would see it, with long names applied before anyone checks the path.
 * Structural problems are findings; the fatal ones stop the walk (`failed`).
 */
export class TarReader {
  private header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  private state: "header" | "data" | "extension" | "zero" | "end" | "stopped" = "header";
  /** Bytes of entry data (plus padding) still to come. */
  private remaining = 0;
  private padding = 0;
  private current: TarEntry | null = null;
  private sink: ((chunk: Buffer) => void) | null = null;
  private extension: { type: string; size: number; parts: Buffer[]; fill: number } | null = null;
  private pending: PendingExtensions = { invalidEncoding: false };
  private position = 0;
  private afterEndNonZero = false;
  private blockStart = 0;
  failed = false;
  entries = 0;

  constructor(
    private readonly visitor: TarVisitor,
    private readonly onFinding: (finding: Finding) => void,
    private readonly options: TarReaderOptions,
  ) {}

  get ended(): boolean {
    return this.state === "end";
  }

  push(chunk: Buffer): void {
    let p = 0;
    while (p < chunk.length && this.state !== "stopped") {
      if (this.state === "end") {
        if (!this.afterEndNonZero && !isZero(chunk, p, chunk.length)) {
          this.afterEndNonZero = true;
          this.fail("TAR_DATA_AFTER_END", "non-zero bytes follow the tar end-of-archive marker");
        }
        this.position += chunk.length - p;
        return;
      }
      if (this.state === "data" || this.state === "extension") {
        const take = Math.min(this.remaining, chunk.length - p);
        if (take > 0) {
          const piece = chunk.subarray(p, p + take);
          if (this.state === "data") this.sink?.(piece);
          else this.collectExtension(piece);
          p += take;
          this.position += take;
          this.remaining -= take;
        }
        if (this.remaining === 0) {
          const skip = Math.min(this.padding, chunk.length - p);
          p += skip;
          this.position += skip;
          this.padding -= skip;
          if (this.padding === 0) this.finishBody();
        }
        continue;
      }
      // header or zero: fill one block
      if (this.headerFill === 0) this.blockStart = this.position;
      const take = Math.min(BLOCK - this.headerFill, chunk.length - p);
      if (this.headerFill === 0 && take === BLOCK) {
        this.onBlock(chunk.subarray(p, p + BLOCK));
      } else {
        chunk.copy(this.header, this.headerFill, p, p + take);
        this.headerFill += take;
        if (this.headerFill === BLOCK) {
          this.headerFill = 0;
          this.onBlock(this.header);
        }
      }
      p += take;
      this.position += take;
    }
  }

  /** Call when the archive stream ended. */
  finish(): void {
    if (this.state === "stopped") return;
    if (this.state === "data" || this.state === "extension" || this.headerFill > 0) {
      const what = this.current ? `entry ${JSON.stringify(this.current.path)}` : "a header";
      this.fail("TAR_TRUNCATED", `the archive ends inside ${what}: it declares more bytes than the archive holds`, this.current?.path);
      return;
    }
    if (this.hasPending()) {
      this.fail("TAR_ORPHAN_EXTENSION", "the archive ends after an extension header with no entry");
      return;
    }
    if (this.state === "header") {
      this.fail("TAR_MISSING_END", "the archive has no end-of-archive marker (two zero blocks)");
    } else if (this.state === "zero") {
      this.fail("TAR_SHORT_END", "the end-of-archive marker is one zero block instead of two (readers differ on what follows)");
      return;
    }
    this.state = "stopped";
  }

  stop(): void {
    this.state = "stopped";
  }

  private onBlock(block: Buffer): void {
    const at = this.blockStart;
    if (this.state === "zero") {
      if (block.equals(ZERO_BLOCK)) {
        this.state = "end";
        return;
      }
      this.fail("TAR_DATA_AFTER_END", "a lone zero block is followed by more headers; the end-of-archive marker hides entries");
      return;
    }
    if (block.equals(ZERO_BLOCK)) {
      if (this.hasPending()) {
        this.fail("TAR_ORPHAN_EXTENSION", "an extension header is followed by the end of the archive, not by an entry");
        return;
      }
      this.state = "zero";
      return;
    }
    this.parseHeader(block, at);
  }

  private parseHeader(block: Buffer, at: number): void {
    const read = readTarHeader(block, at);
    if (!read.ok) {
      this.fail(read.code, read.message);
      return;
    }
    const header = read.header;
    if (header.typeflag === "g") {
      this.fail("TAR_GLOBAL_HEADER", `header at offset ${at}: a global PAX header changes every later entry, and readers apply it differently; a package may not carry one`);
      return;
    }
    if (header.typeflag === "x" || header.typeflag === "L" || header.typeflag === "K") {
      this.startExtension(header, at);
      return;
    }
    const entry = this.entryFrom(header, at);
    if (!entry) return;
    this.pending = { invalidEncoding: false };
    this.entries++;
    this.current = entry;
    this.sink = this.visitor.entry(entry);
    if (this.state === "stopped") return;
    // Only regular files (and types refused anyway, which every reader skips by size) carry data.
    this.enterBody("data", entry.type === "file" || entry.type === "unsupported" ? entry.size : 0);
  }

  private startExtension(header: TarHeader, at: number): void {
    const type = header.typeflag;
    const p = this.pending;
    if (p.pax !== undefined || (type === "x" && (p.longName !== undefined || p.longLink !== undefined))) {
      const what = p.pax !== undefined && type === "x" ? "two PAX headers precede one entry" : "PAX and GNU long-name headers are mixed on one entry (Python lets the GNU name win, the others the PAX path)";
      this.fail("TAR_CONFLICTING_NAMES", `header at offset ${at}: ${what}`);
      return;
    }
    if ((type === "L" && p.longName !== undefined) || (type === "K" && p.longLink !== undefined)) {
      this.fail("TAR_CONFLICTING_NAMES", `header at offset ${at}: two GNU long-${type === "L" ? "name" : "link"} headers precede one entry`);
      return;
    }
    if (header.size > this.options.maxExtensionHeaderSize) {
      this.fail("LIMIT_EXTENSION_HEADER", `extension header (type ${type}) of ${header.size} bytes exceeds the limit of ${this.options.maxExtensionHeaderSize}`);
      return;
    }
    this.extension = { type, size: header.size, parts: [], fill: 0 };
    this.enterBody("extension", header.size);
  }

  /** The entry a header describes once pending extensions are applied, or null after a fatal finding. */
  private entryFrom(header: TarHeader, at: number): TarEntry | null {
    const pax = this.pending.pax ?? new Map<string, string>();
    let invalidEncoding = this.pending.invalidEncoding;
    const decode = (b: Buffer): string => {
      const s = decodeUtf8(b);
      if (s !== null) return s;
      invalidEncoding = true;
      return b.toString("latin1");
    };
    let path = pax.get("path") ?? this.pending.longName ?? decode(header.name);
    const linkpath = pax.get("linkpath") ?? this.pending.longLink ?? decode(header.linkname);
    const size = this.entrySize(header, pax.get("size"), path);
    if (size === null) return null;
    const type = entryType(header.typeflag);
    const fail = (code: string, message: string) => {
      this.fail(code, `${type === "unsupported" ? `type ${JSON.stringify(header.typeflag)} entry` : type} ${JSON.stringify(path)}: ${message}`, path);
      return null;
    };
    if (type === "directory") {
      while (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
    }
    if (size !== 0 && type !== "file" && type !== "unsupported") {
      return fail("TAR_DATA_ON_NON_FILE", `declares ${size} bytes of data; GNU tar and bsdtar skip them, Python and node-tar read the next header there, so entries can hide inside`);
    }
    const isLink = type === "symlink" || type === "hardlink";
    if (linkpath !== "" && !isLink) return fail("TAR_BAD_FIELD", `carries a link target ${JSON.stringify(linkpath)} although it is no link`);
    if (isLink && header.linkname.length === 0) {
      return fail("TAR_BAD_FIELD", "the header's own link-target field is empty: node-tar drops the entry even when a PAX or GNU long link supplies the target");
    }
    if (type !== "directory" && path.endsWith("/")) {
      return fail("TAR_TRAILING_SLASH", "the name ends in \"/\": GNU tar and bsdtar extract it as a folder, Python and node-tar as a file");
    }
    return {
      path,
      type,
      typeflag: header.typeflag,
      mode: header.mode,
      size,
      linkpath,
      uid: header.uid,
      gid: header.gid,
      mtime: header.mtime,
      offset: at,
      invalidEncoding,
    };
  }

  /**
   * The entry's size: the header's, and a PAX size only where it repeats it (or the header cannot hold
   * it). A PAX size the header contradicts splits readers that trust the header field from those that
   * trust PAX (TARmageddon, CVE-2025-62518).
   */
  private entrySize(header: TarHeader, paxSize: string | undefined, path: string): number | null {
    if (paxSize === undefined) return header.size;
    const n = Number(paxSize);
    if (!Number.isSafeInteger(n)) {
      this.fail("TAR_BAD_SIZE", `PAX size ${JSON.stringify(paxSize)} is not a safe integer`, path);
      return null;
    }
    const headerCannotHold = n > OCTAL_SIZE_MAX && (header.size === 0 || header.size === n);
    if (n !== header.size && !headerCannotHold) {
      this.fail("TAR_PAX_SIZE_MISMATCH", `PAX size ${n} disagrees with the header's size ${header.size}: readers that trust the header split the archive differently (TARmageddon, CVE-2025-62518)`, path);
      return null;
    }
    return n;
  }

  private enterBody(state: "data" | "extension", size: number): void {
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    this.state = state;
    if (size === 0) this.finishBody();
  }

  private collectExtension(piece: Buffer): void {
    const ext = this.extension!;
    ext.parts.push(Buffer.from(piece));
    ext.fill += piece.length;
  }

  private finishBody(): void {
    if (this.state === "data") {
      const entry = this.current!;
      this.sink = null;
      this.visitor.entryEnd?.(entry);
      this.current = null;
    } else if (this.state === "extension") {
      const ext = this.extension!;
      this.extension = null;
      this.applyExtension(ext.type, Buffer.concat(ext.parts));
    }
    if (this.state !== "stopped") this.state = "header";
  }

  private applyExtension(type: string, data: Buffer): void {
    if (type === "L" || type === "K") {
      const text = cString(data, 0, data.length);
      if (!isZero(data, text.length, data.length)) {
        this.fail("TAR_BAD_FIELD", `a GNU long-${type === "L" ? "name" : "link"} header has bytes after its terminating NUL`);
        return;
      }
      let value = decodeUtf8(text);
      if (value === null) {
        this.pending.invalidEncoding = true;
        value = text.toString("latin1");
      }
      if (type === "L") this.pending.longName = value;
      else this.pending.longLink = value;
      return;
    }
    const records = parsePaxRecords(data);
    if (!(records instanceof Map)) {
      this.fail(records.code, records.message);
      return;
    }
    this.pending.pax = records;
  }

  private hasPending(): boolean {
    return this.pending.longName !== undefined || this.pending.longLink !== undefined || this.pending.pax !== undefined;
  }

  private fail(code: string, message: string, path?: string): void {
    if (this.failed) return;
    this.failed = true;
    this.onFinding(errorFinding(code, message, path));
    this.state = "stopped";
  }
}

function entryType(flag: string): TarEntryType {
  switch (flag) {
    case "0":
      return "file";
    case "5":
      return "directory";
    case "2":
      return "symlink";
    case "1":
      return "hardlink";
    case "3":
      return "character-device";
    case "4":
      return "block-device";
    case "6":
      return "fifo";
    default:
      // "\0" (old regular file: a folder when the name ends in "/", to some tools), "7" (contiguous), "S" (sparse), vendor types.
      return "unsupported";
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
function decodeUtf8(b: Buffer): string | null {
  try {
    return utf8.decode(b);
  } catch {
    return null;
  }
}
