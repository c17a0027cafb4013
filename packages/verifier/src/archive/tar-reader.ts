import { errorFinding, type Finding, warningFinding } from "../findings.js";

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
  /** A PAX path/linkpath value contained a NUL byte. */
  paxNul: boolean;
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

const BLOCK = 512;
const ZERO_BLOCK = Buffer.alloc(BLOCK);

interface PendingExtensions {
  longName?: string;
  longLink?: string;
  pax?: Map<string, string>;
  paxNul: boolean;
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
  private pending: PendingExtensions = { paxNul: false, invalidEncoding: false };
  private global = new Map<string, string>();
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
      this.onFinding(warningFinding("TAR_SHORT_END", "the end-of-archive marker is one zero block instead of two"));
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
    const sizeField = this.headerSize(block, at);
    if (sizeField === null) return;
    const typeflag = String.fromCharCode(block[156]!);
    if (typeflag === "L" || typeflag === "K" || typeflag === "x" || typeflag === "g") {
      this.startExtension(typeflag, sizeField);
      return;
    }
    const entry = this.entryFromHeader(block, at, typeflag, sizeField);
    if (!entry) return;
    this.pending = { paxNul: false, invalidEncoding: false };
    this.entries++;
    // Links, directories and devices carry no data even when a size is declared (as GNU tar reads them).
    const dataSize = entry.type === "file" || entry.type === "unsupported" ? entry.size : 0;
    this.current = entry;
    this.sink = this.visitor.entry(entry);
    if (this.state === "stopped") return;
    this.enterBody("data", dataSize);
  }

  /** The header's size field once its checksum holds; null (after a finding) when either is bad. */
  private headerSize(block: Buffer, at: number): number | null {
    const stored = parseNumber(block, 148, 8);
    if (stored === null || !checksumMatches(block, stored)) {
      this.fail("TAR_BAD_CHECKSUM", `header at offset ${at} has a bad checksum (not a tar header, or corrupt)`);
      return null;
    }
    const sizeField = parseNumber(block, 124, 12);
    if (sizeField === null) {
      this.fail("TAR_BAD_SIZE", `header at offset ${at} has a size that is not a number`);
      return null;
    }
    if (sizeField < 0 || !Number.isSafeInteger(sizeField)) {
      this.fail("TAR_BAD_SIZE", `header at offset ${at} declares an impossible size (${sizeField})`);
      return null;
    }
    return sizeField;
  }

  /** A GNU long name/link (L, K) or PAX (x, g) header: its body is collected, then applies to the next entry. */
  private startExtension(typeflag: string, size: number): void {
    if (size > this.options.maxExtensionHeaderSize) {
      this.fail("LIMIT_EXTENSION_HEADER", `extension header (type ${typeflag}) of ${size} bytes exceeds the limit of ${this.options.maxExtensionHeaderSize}`);
      return;
    }
    this.extension = { type: typeflag, size, parts: [], fill: 0 };
    this.enterBody("extension", size);
  }

  /** The entry a header describes, with the pending PAX and GNU extensions applied; null after a fatal finding. */
  private entryFromHeader(block: Buffer, at: number, typeflag: string, sizeField: number): TarEntry | null {
    const pax = new Map([...this.global, ...(this.pending.pax ?? [])]);
    const names = this.entryNames(block, pax);
    if (!names) return null;
    const size = this.entrySize(sizeField, pax, names.path);
    if (size === null) return null;
    for (const key of pax.keys()) {
      if (key.startsWith("GNU.sparse")) {
        this.fail("TAR_UNSUPPORTED_TYPE", "sparse files (GNU.sparse PAX records) are not allowed in a package", names.path);
        return null;
      }
    }
    let path = names.path;
    let type = entryType(typeflag);
    if ((typeflag === "0" || typeflag === "\0") && path.endsWith("/")) type = "directory";
    if (type === "directory") {
      while (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
    }
    return {
      path,
      type,
      typeflag,
      mode: (parseNumber(block, 100, 8) ?? 0) & 0o7777,
      size,
      linkpath: names.linkpath,
      uid: parseNumber(block, 108, 8) ?? 0,
      gid: parseNumber(block, 116, 8) ?? 0,
      mtime: parseNumber(block, 136, 12) ?? 0,
      offset: at,
      invalidEncoding: names.invalidEncoding,
      paxNul: this.pending.paxNul,
    };
  }

  /** Path and link target: PAX records, then GNU long names, then the header's (ustar prefix + name) fields. */
  private entryNames(block: Buffer, pax: Map<string, string>): { path: string; linkpath: string; invalidEncoding: boolean } | null {
    const ustar = block.toString("latin1", 257, 263) === "ustar\0";
    const name = cString(block, 0, 100);
    const prefix = ustar ? cString(block, 345, 155) : Buffer.alloc(0);
    const rawName = prefix.length > 0 ? Buffer.concat([prefix, Buffer.from("/"), name]) : name;
    let invalidEncoding = this.pending.invalidEncoding;
    const decode = (b: Buffer): string => {
      const s = decodeUtf8(b);
      if (s === null) {
        invalidEncoding = true;
        return b.toString("latin1");
      }
      return s;
    };
    const paxPath = pax.get("path");
    const longName = this.pending.longName;
    if (paxPath !== undefined && longName !== undefined && paxPath !== longName) {
      this.fail("TAR_CONFLICTING_NAMES", `a PAX path ${JSON.stringify(paxPath)} and a GNU long name ${JSON.stringify(longName)} disagree`);
      return null;
    }
    const path = paxPath ?? longName ?? decode(rawName);
    const linkpath = pax.get("linkpath") ?? this.pending.longLink ?? decode(cString(block, 157, 100));
    return { path, linkpath, invalidEncoding };
  }

  /** The data size: the header's, or a PAX `size` record that must agree with a non-zero header size. */
  private entrySize(sizeField: number, pax: Map<string, string>, path: string): number | null {
    const paxSize = pax.get("size");
    if (paxSize === undefined) return sizeField;
    if (!/^\d+$/.test(paxSize) || !Number.isSafeInteger(Number(paxSize))) {
      this.fail("TAR_BAD_SIZE", `PAX size ${JSON.stringify(paxSize)} is not a non-negative integer`, path);
      return null;
    }
    const n = Number(paxSize);
    if (sizeField !== 0 && n !== sizeField) {
      this.fail("TAR_PAX_SIZE_MISMATCH", `PAX size ${n} disagrees with the header's size ${sizeField}`, path);
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
      if ((type === "L" && this.pending.longName !== undefined) || (type === "K" && this.pending.longLink !== undefined)) {
        this.fail("TAR_CONFLICTING_NAMES", `two GNU long-${type === "L" ? "name" : "link"} headers precede one entry`);
        return;
      }
      let value = decodeUtf8(cString(data, 0, data.length));
      if (value === null) {
        this.pending.invalidEncoding = true;
        value = cString(data, 0, data.length).toString("latin1");
      }
      if (type === "L") this.pending.longName = value;
      else this.pending.longLink = value;
      return;
    }
    const records = parsePax(data);
    if (typeof records === "string") {
      this.fail("TAR_BAD_PAX", records);
      return;
    }
    for (const [key, value, hadNul] of records) {
      if (hadNul) {
        this.fail("TAR_PAX_NUL", `PAX record ${JSON.stringify(key)} contains a NUL byte`);
        return;
      }
      if (type === "g") this.global.set(key, value);
      else {
        this.pending.pax ??= new Map();
        this.pending.pax.set(key, value);
      }
    }
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
    case "\0":
    case "7":
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
      return "unsupported";
  }
}

/** PAX records `"<len> <key>=<value>\n"`: [key, value, containsNul], or a reason they are malformed. */
export function parsePax(data: Buffer): [string, string, boolean][] | string {
  const out: [string, string, boolean][] = [];
  let p = 0;
  while (p < data.length) {
    if (data[p] === 0) {
      // NUL padding after the last record is tolerated only when it is all NULs.
      return isZero(data, p, data.length) ? out : "PAX header has bytes after a NUL";
    }
    const space = data.indexOf(0x20, p);
    if (space < 0 || space - p > 20) return `malformed PAX record at byte ${p}: no length`;
    const lenText = data.toString("latin1", p, space);
    if (!/^[1-9]\d*$/.test(lenText)) return `malformed PAX record at byte ${p}: length ${JSON.stringify(lenText)} is not a number`;
    const len = Number(lenText);
    if (p + len > data.length) return `PAX record at byte ${p} declares ${len} bytes but the header has ${data.length - p}`;
    if (data[p + len - 1] !== 0x0a) return `PAX record at byte ${p} does not end with a newline where its length says`;
    const record = data.subarray(space + 1, p + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq <= 0) return `PAX record at byte ${p} has no key=value`;
    const hadNul = record.includes(0);
    const key = record.toString("utf8", 0, eq);
    const value = record.toString("utf8", eq + 1);
    out.push([key, value, hadNul]);
    p += len;
  }
  return out;
}

/** Bytes of a NUL-terminated field. */
function cString(block: Buffer, start: number, length: number): Buffer {
  const field = block.subarray(start, start + length);
  const zero = field.indexOf(0);
  return zero < 0 ? field : field.subarray(0, zero);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
function decodeUtf8(b: Buffer): string | null {
  try {
    return utf8.decode(b);
  } catch {
    return null;
  }
}

/**
 * A numeric header field: octal digits padded with spaces/NULs, or GNU base-256 (high bit set;
 * 0xff marks a negative number). null when it holds anything else.
 */
export function parseNumber(block: Buffer, start: number, length: number): number | null {
  const first = block[start]!;
  if (first & 0x80) {
    const negative = first === 0xff;
    let value = negative ? -1 : first & 0x7f;
    if (negative) {
      let n = 0n;
      for (let i = start; i < start + length; i++) n = (n << 8n) | BigInt(block[i]!);
      return Number(n - (1n << BigInt(length * 8)));
    }
    for (let i = start + 1; i < start + length; i++) value = value * 256 + block[i]!;
    return value;
  }
  const text = block.toString("latin1", start, start + length).replace(/[\0 ]+$/, "").replace(/^ +/, "");
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) return null;
  return Number.parseInt(text, 8);
}

function checksumMatches(block: Buffer, stored: number): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

function isZero(b: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}
