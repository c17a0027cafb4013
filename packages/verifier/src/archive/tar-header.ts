/**
 * One 512-byte tar header, read strictly: every field must hold what every mainstream reader (GNU tar
 * 1.34, bsdtar/libarchive 3.6, Python 3.11 tarfile, node-tar 7) reads the same way, and fields a
 * `.baiengine` does not use must be empty. Where the readers differ (from their sources: GNU tar
 * `list.c` from_header, CPython `tarfile.py` nti/frombuf, node-tar `header.js`/`large-numbers.js`,
 * libarchive `archive_read_support_format_tar.c`), the header is refused rather than read one way.
 */

export const BLOCK = 512;
/** Largest value an 11-digit octal size field holds (8 GiB - 1). */
export const OCTAL_SIZE_MAX = 0o77777777777;

/** A header that passed every check; strings are raw bytes (decoded by the caller). */
export interface TarHeader {
  typeflag: string;
  /** `prefix/name` for ustar when the prefix field is set, else the name field. */
  name: Buffer;
  linkname: Buffer;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  format: "ustar" | "gnu";
}

export type HeaderResult = { ok: true; header: TarHeader } | { ok: false; code: string; message: string };

const USTAR = Buffer.from("ustar\u000000", "latin1");
const GNU = Buffer.from("ustar  \u0000", "latin1");

/**
 * node-tar, unless `portable: true`, shortens the ustar prefix to 130 bytes and writes atime and ctime
 * as 12-byte octal fields at 476 and 488 (node-tar's `Header.encode`).
 */
function isNodeTarTimes(block: Buffer): boolean {
  const octal = (start: number) => /^ *[0-7]+[ \0]*$/.test(block.toString("latin1", start, start + 12));
  return isZero(block, 345 + cString(block, 345, 130).length, 476) && octal(476) && octal(488);
}

/** Parses and checks `block` (the header at byte `at`); the failure names the field and why readers would differ. */
export function readTarHeader(block: Buffer, at: number): HeaderResult {
  const bad = (code: string, message: string): HeaderResult => ({ ok: false, code, message: `header at offset ${at}: ${message}` });
  const checksum = parseOctalField(block, 148, 8, false);
  if (checksum === null || checksum !== unsignedSum(block)) {
    return bad("TAR_BAD_CHECKSUM", "bad checksum (not a tar header, or corrupt; signed checksums are not accepted: node-tar rejects them)");
  }
  const magic = block.subarray(257, 265);
  const format = magic.equals(USTAR) ? "ustar" : magic.equals(GNU) ? "gnu" : null;
  if (format === null) {
    return bad("TAR_UNKNOWN_FORMAT", `magic ${JSON.stringify(magic.toString("latin1"))} is neither POSIX ustar nor GNU tar (v7 and other dialects read prefix and owner fields differently in each tool)`);
  }
  for (const [name, start, length] of STRING_FIELDS) {
    if (canonicalString(block, start, length)) continue;
    if (name === "prefix" && isNodeTarTimes(block)) {
      return bad(
        "TAR_BAD_FIELD",
        "the prefix field ends in node-tar's atime and ctime (node-tar's default layout, not POSIX ustar: readers that stop at the NUL and readers that do not disagree); re-pack with node-tar's `portable: true` or with `tar -C DIR -czf FILE package`",
      );
    }
    return bad("TAR_BAD_FIELD", `the ${name} field has bytes after its terminating NUL (readers that stop at the NUL and readers that do not disagree)`);
  }
  // GNU headers keep atime/ctime/sparse data where ustar has its prefix: Python reads it as a prefix anyway.
  const reservedFrom = format === "gnu" ? 345 : 500;
  if (!isZero(block, reservedFrom, BLOCK)) {
    return bad("TAR_BAD_FIELD", `bytes ${reservedFrom}-511 (${format === "gnu" ? "GNU atime/ctime/sparse fields, read as a ustar prefix by Python" : "ustar padding"}) must be zero`);
  }
  const numbers: Record<string, number> = {};
  for (const [name, start, length, base256, mayBeEmpty] of NUMERIC_FIELDS) {
    const value = mayBeEmpty && isZero(block, start, start + length) ? 0 : parseOctalField(block, start, length, base256);
    if (value === null) return bad(name === "size" ? "TAR_BAD_SIZE" : "TAR_BAD_FIELD", `the ${name} field is not an octal number (tools read such fields as 0, as an error, or in part)`);
    numbers[name] = value;
  }
  for (const [name, start] of [["devmajor", 329], ["devminor", 337]] as const) {
    if (!isZero(block, start, start + 8) && parseOctalField(block, start, 8, false) !== 0) return bad("TAR_BAD_FIELD", `the ${name} field is set on an archive that may hold no devices`);
  }
  if (numbers["mode"]! > 0o7777) return bad("TAR_BAD_FIELD", `mode ${numbers["mode"]!.toString(8)} carries file-type bits (Python keeps them, the others drop them)`);
  const prefix = format === "ustar" ? cString(block, 345, 155) : Buffer.alloc(0);
  const name = cString(block, 0, 100);
  return {
    ok: true,
    header: {
      typeflag: String.fromCharCode(block[156]!),
      name: prefix.length > 0 ? Buffer.concat([prefix, Buffer.from("/"), name]) : name,
      linkname: cString(block, 157, 100),
      mode: numbers["mode"]!,
      uid: numbers["uid"]!,
      gid: numbers["gid"]!,
      size: numbers["size"]!,
      mtime: numbers["mtime"]!,
      format,
    },
  };
}

const STRING_FIELDS: [string, number, number][] = [
  ["name", 0, 100],
  ["linkname", 157, 100],
  ["uname", 265, 32],
  ["gname", 297, 32],
  ["prefix", 345, 155],
];

/**
 * [field, offset, length, base-256 allowed, may be empty]. Owner and time may be left empty (node-tar's
 * `portable` archives, npm's): every reader takes 0 or the extracting user for them, and a package
 * relies on neither. Mode and size may not: an empty one is 0 to Python, NaN to node-tar.
 */
const NUMERIC_FIELDS: [string, number, number, boolean, boolean][] = [
  ["mode", 100, 8, false, false],
  ["uid", 108, 8, true, true],
  ["gid", 116, 8, true, true],
  ["size", 124, 12, true, false],
  ["mtime", 136, 12, true, true],
];

/**
 * A numeric field as all readers agree on it: optional leading spaces, at least one octal digit, then
 * only NULs or spaces; or (where allowed) GNU base-256 with a first byte of exactly 0x80 and a value
 * that fits a safe integer. null otherwise: an empty field is 0 to Python, NaN to node-tar and an
 * error to GNU tar; `644x` is 420 to node-tar and an error elsewhere; a leading NUL is skipped by GNU tar only.
 */
export function parseOctalField(block: Buffer, start: number, length: number, base256: boolean): number | null {
  if (block[start] === 0x80 && base256) {
    let value = 0;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + block[i]!;
    return Number.isSafeInteger(value) ? value : null;
  }
  const end = start + length;
  let p = start;
  while (p < end && block[p] === 0x20) p++;
  const digitsFrom = p;
  while (p < end && block[p]! >= 0x30 && block[p]! <= 0x37) p++;
  if (p === digitsFrom) return null;
  const digits = block.toString("latin1", digitsFrom, p);
  for (; p < end; p++) if (block[p] !== 0 && block[p] !== 0x20) return null;
  const value = Number.parseInt(digits, 8);
  return Number.isSafeInteger(value) ? value : null;
}

/** Bytes of a NUL-terminated field (the whole field when it has no NUL). */
export function cString(block: Buffer, start: number, length: number): Buffer {
  const field = block.subarray(start, start + length);
  const zero = field.indexOf(0);
  return zero < 0 ? field : field.subarray(0, zero);
}

/** The field is text then only NULs (no hidden bytes after the terminator). */
function canonicalString(block: Buffer, start: number, length: number): boolean {
  const zero = block.indexOf(0, start);
  return zero < 0 || zero >= start + length || isZero(block, zero, start + length);
}

function unsignedSum(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum;
}

export function isZero(b: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}
