import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Limits } from "../../src/limits.js";
import { goodMembers, type Staging } from "./good-package.js";
import { END, gnuLongName, gzip, paxHeader, paxRecord, type RawEntry, tarArchive, tarHeader, tarMember, VALID_MANIFEST } from "./tar-writer.js";

export interface CorpusCase {
  name: string;
  /** The rule group (§ in the README) the case covers. */
  rule: string;
  code: string;
  /** The finding's entry path, when it names one. */
  path?: string;
  bytes: Buffer;
  filename?: string;
  limits?: Partial<Limits>;
  /** Refused with exactly one finding (each class in one line). */
  oneLine?: boolean;
}

function base256(value: bigint, length = 12): Buffer {
  const b = Buffer.alloc(length);
  let v = value < 0n ? (1n << BigInt(length * 8)) + value : value;
  for (let i = length - 1; i >= 0; i--) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  b[0] = b[0]! | 0x80;
  return b;
}

function compile(dir: string, compiler: string, name: string, source: string, args: string[] = []): Buffer {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.c`), source);
  try {
    execFileSync(compiler, ["-O1", "-o", join(dir, name), `${name}.c`, ...args], { cwd: dir, stdio: "pipe" });
  } catch (error) {
    throw new Error(`${compiler} is needed to build the corpus: ${(error as Error).message}`);
  }
  return readFileSync(join(dir, name));
}

/** Every hostile or broken package of the corpus, each with the finding it must produce. */
export function buildCorpus(staging: Staging, work: string): CorpusCase[] {
  const good = goodMembers(staging);
  const pkg = (extra: (RawEntry | Buffer)[], opts: { replace?: RawEntry[]; end?: boolean | Buffer } = {}) =>
    gzip(tarArchive([...(opts.replace ?? good), ...extra], opts.end ?? true));
  const withManifest = (manifest: string | Buffer) => goodMembers(staging, Buffer.from(manifest));
  const withServer = (server: RawEntry) => good.map((m) => (m.name === "package/llama-server" ? server : m));
  const goodTar = tarArchive(good);
  const goodGz = gzip(goodTar);
  const cases: CorpusCase[] = [];
  const add = (c: CorpusCase) => cases.push(c);

  // §1 container
  add({ name: "plain tar, not gzip", rule: "1", code: "GZIP_BAD_HEADER", bytes: goodTar });
  add({ name: "empty file", rule: "1", code: "GZIP_BAD_HEADER", bytes: Buffer.alloc(0) });
  {
    const b = Buffer.from(goodGz);
    b[3] = 0x80;
    add({ name: "reserved gzip flag", rule: "1", code: "GZIP_BAD_HEADER", bytes: b });
  }
  add({ name: "truncated gzip", rule: "1", code: "GZIP_TRUNCATED", bytes: goodGz.subarray(0, goodGz.length - 200) });
  add({ name: "gzip without trailer", rule: "1", code: "GZIP_TRUNCATED", bytes: goodGz.subarray(0, goodGz.length - 4) });
  {
    const b = Buffer.from(goodGz);
    b.writeUInt32LE((b.readUInt32LE(b.length - 8) ^ 1) >>> 0, b.length - 8);
    add({ name: "CRC32 mismatch", rule: "1", code: "GZIP_CRC_MISMATCH", bytes: b });
  }
  {
    const b = Buffer.from(goodGz);
    b.writeUInt32LE(b.readUInt32LE(b.length - 4) + 512, b.length - 4);
    add({ name: "ISIZE mismatch", rule: "1", code: "GZIP_SIZE_MISMATCH", bytes: b });
  }
  add({
    name: "second gzip member smuggling entries",
    rule: "1",
    code: "GZIP_MULTIPLE_MEMBERS",
    bytes: Buffer.concat([gzip(tarArchive(good, false)), gzip(tarArchive([{ name: "package/evil", data: "x" }]))]),
  });
  add({ name: "garbage after gzip", rule: "1", code: "GZIP_TRAILING_DATA", bytes: Buffer.concat([goodGz, Buffer.from("PK\u0003\u0004 hidden zip")]) });
  add({ name: "zero padding after gzip", rule: "1", code: "GZIP_TRAILING_DATA", bytes: Buffer.concat([goodGz, Buffer.alloc(512)]) });
  add({
    name: "entry declares more bytes than the archive holds",
    rule: "1",
    code: "TAR_TRUNCATED",
    path: "package/big",
    bytes: gzip(Buffer.concat([tarArchive(good, false), tarHeader({ name: "package/big", size: 100_000 }), Buffer.alloc(2048, 1)])),
  });
  add({
    name: "huge octal size",
    rule: "1",
    code: "TAR_TRUNCATED",
    bytes: gzip(Buffer.concat([tarArchive(good, false), tarHeader({ name: "package/huge", sizeField: Buffer.from("77777777777\0") }), END])),
  });
  add({ name: "bad header checksum", rule: "1", code: "TAR_BAD_CHECKSUM", bytes: pkg([{ name: "package/x", data: "x", badChecksum: true }]) });
  add({ name: "non-numeric size", rule: "1", code: "TAR_BAD_SIZE", bytes: pkg([{ name: "package/x", sizeField: Buffer.from("0000000012x\0") }]) });
  add({ name: "negative base-256 size", rule: "1", code: "TAR_BAD_SIZE", bytes: pkg([{ name: "package/x", sizeField: base256(-512n) }]) });
  add({ name: "base-256 size beyond 2^53", rule: "1", code: "TAR_BAD_SIZE", bytes: pkg([{ name: "package/x", sizeField: base256(1n << 70n) }]) });
  add({
    name: "PAX size disagrees with header size",
    rule: "1",
    code: "TAR_PAX_SIZE_MISMATCH",
    bytes: pkg([paxHeader([["size", "1024"]]), { name: "package/x", data: "hello" }]),
  });
  add({
    name: "PAX path with a NUL",
    rule: "1",
    code: "TAR_PAX_NUL",
    bytes: pkg([paxHeader([["path", Buffer.from("package/ok\0../../etc/passwd")]]), { name: "package/x", data: "x" }]),
  });
  add({
    name: "PAX record length lies",
    rule: "1",
    code: "TAR_BAD_PAX",
    bytes: pkg([{ name: "PaxHeaders/x", type: "x", data: Buffer.from("99 path=package/a\n") }, { name: "package/x", data: "x" }]),
  });
  add({ name: "data after end-of-archive", rule: "1", code: "TAR_DATA_AFTER_END", bytes: pkg([], { end: Buffer.concat([END, tarMember({ name: "package/hidden", data: "x" })]) }) });
  add({ name: "lone zero block hides an entry", rule: "1", code: "TAR_DATA_AFTER_END", bytes: pkg([Buffer.alloc(512), tarMember({ name: "package/hidden", data: "x" })]) });
  add({ name: "no end-of-archive marker", rule: "1", code: "TAR_MISSING_END", bytes: pkg([], { end: false }) });
  add({ name: "PAX header with no entry", rule: "1", code: "TAR_ORPHAN_EXTENSION", bytes: pkg([paxHeader([["path", "package/x"]])]) });
  add({
    name: "PAX path and GNU long name disagree",
    rule: "1",
    code: "TAR_CONFLICTING_NAMES",
    bytes: pkg([gnuLongName("package/innocent"), paxHeader([["path", "../../evil"]]), { name: "package/x", data: "x" }]),
  });

  // §1: what mainstream readers (GNU tar, bsdtar, Python tarfile, node-tar) would read differently
  const one = (c: Omit<CorpusCase, "rule" | "oneLine">) => add({ ...c, rule: "1", oneLine: true });
  const symlinkWithData = tarHeader({ name: "package/libs/libhello.so", type: "2", linkname: "libhello.so.1", size: 512 });
  one({
    name: "symlink declaring 512 bytes hides an entry (the reader-split example)",
    code: "TAR_DATA_ON_NON_FILE",
    path: "package/libs/libhello.so",
    bytes: pkg([symlinkWithData, tarHeader({ name: "package/libs/pad", size: 512 }), tarHeader({ name: "package/libs/escape", type: "2", linkname: "/etc" })]),
  });
  one({ name: "directory with data attached", code: "TAR_DATA_ON_NON_FILE", path: "package/d", bytes: pkg([{ name: "package/d/", type: "5", size: 512, data: Buffer.alloc(512, 0x41) }]) });
  one({
    name: "PAX size 1024 over a header size of 0 (TARmageddon)",
    code: "TAR_PAX_SIZE_MISMATCH",
    bytes: pkg([paxHeader([["size", "1024"]]), { name: "package/x", size: 0, data: Buffer.concat([tarHeader({ name: "package/hidden", data: "x" }), Buffer.alloc(512)]) }]),
  });
  one({ name: "global PAX header renames every entry", code: "TAR_GLOBAL_HEADER", bytes: gzip(tarArchive([paxHeader([["path", "package/manifest.json"]], "g"), ...good])) });
  one({ name: "SCHILY.xattr security.capability", code: "TAR_PAX_KEY", bytes: pkg([paxHeader([["SCHILY.xattr.security.capability", Buffer.from([1, 0, 0, 2, 0, 0x20, 0, 0])]]), { name: "package/x", data: "x" }]) });
  one({ name: "LIBARCHIVE.xattr key", code: "TAR_PAX_KEY", bytes: pkg([paxHeader([["LIBARCHIVE.xattr.user.x", "eA=="]]), { name: "package/x", data: "x" }]) });
  one({ name: "GNU.sparse PAX keys", code: "TAR_PAX_KEY", bytes: pkg([paxHeader([["GNU.sparse.major", "1"], ["GNU.sparse.minor", "0"]]), { name: "package/x", data: "x" }]) });
  one({ name: "hdrcharset=BINARY", code: "TAR_PAX_KEY", bytes: pkg([paxHeader([["hdrcharset", "BINARY"]]), { name: "package/x", data: "x" }]) });
  one({ name: "PAX key twice in one header", code: "TAR_BAD_PAX", bytes: pkg([paxHeader([["path", "package/a"], ["path", "package/b"]]), { name: "package/x", data: "x" }]) });
  one({ name: "PAX record with an empty value", code: "TAR_BAD_PAX", bytes: pkg([paxHeader([["path", ""]]), { name: "package/x", data: "x" }]) });
  one({ name: "NUL padding after PAX records", code: "TAR_BAD_PAX", bytes: pkg([{ name: "PaxHeaders/x", type: "x", data: Buffer.concat([paxRecord("path", "package/a"), Buffer.alloc(8)]) }, { name: "package/x", data: "x" }]) });
  one({ name: "PAX path and GNU long name on one entry", code: "TAR_CONFLICTING_NAMES", bytes: pkg([gnuLongName("package/a"), paxHeader([["path", "package/a"]]), { name: "package/x", data: "x" }]) });
  one({ name: "two PAX headers before one entry", code: "TAR_CONFLICTING_NAMES", bytes: pkg([paxHeader([["path", "package/a"]]), paxHeader([["mtime", "1"]]), { name: "package/x", data: "x" }]) });
  one({ name: "GNU header with atime bytes Python reads as a prefix", code: "TAR_BAD_FIELD", bytes: pkg([{ name: "package/x", data: "x", format: "gnu", patch: (h) => h.write("evil", 345) }]) });
  one({ name: "ustar padding not zero", code: "TAR_BAD_FIELD", bytes: pkg([{ name: "package/x", data: "x", patch: (h) => h.write("zz", 505) }]) });
  one({ name: "bytes hidden after the name's NUL", code: "TAR_BAD_FIELD", bytes: pkg([{ name: "package/x", data: "x", patch: (h) => h.write("/../../etc/passwd", 20) }]) });
  one({ name: "mode with trailing junk (node-tar reads 644x as 644)", code: "TAR_BAD_FIELD", bytes: pkg([{ name: "package/x", data: "x", patch: (h) => h.write("000644x\0", 100, "latin1") }]) });
  one({ name: "mode with a leading NUL (GNU tar skips it)", code: "TAR_BAD_FIELD", bytes: pkg([{ name: "package/x", data: "x", patch: (h) => h.write("\u0000000755\u0000", 100, "latin1") }]) });
  one({ name: "mode with file-type bits", code: "TAR_BAD_FIELD", bytes: pkg([{ name: "package/x", data: "x", mode: 0o100644 }]) });
  one({ name: "empty size field", code: "TAR_BAD_SIZE", bytes: pkg([{ name: "package/x", sizeField: Buffer.alloc(12) }]) });
  one({ name: "base-256 size with a first byte other than 0x80", code: "TAR_BAD_SIZE", bytes: pkg([{ name: "package/x", data: "x", sizeField: Buffer.from([0x81, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]) }]) });
  one({ name: "device numbers on a file", code: "TAR_BAD_FIELD", bytes: pkg([{ name: "package/x", data: "x", patch: (h) => h.write("0000007\0", 329, "latin1") }]) });
  one({ name: "link target on a regular file", code: "TAR_BAD_FIELD", path: "package/x", bytes: pkg([{ name: "package/x", data: "x", linkname: "/etc/passwd" }]) });
  one({ name: "v7 header (no magic)", code: "TAR_UNKNOWN_FORMAT", bytes: pkg([{ name: "package/x", data: "x", format: "v7" }]) });
  one({ name: "ustar magic with another version", code: "TAR_UNKNOWN_FORMAT", bytes: pkg([{ name: "package/x", data: "x", patch: (h) => h.write("  ", 263, "latin1") }]) });
  one({ name: "signed checksum", code: "TAR_BAD_CHECKSUM", bytes: pkg([{ name: Buffer.from("package/caf\u00e9", "utf8"), data: "x", signedChecksum: true }]) });
  one({ name: "regular file whose name ends in /", code: "TAR_TRAILING_SLASH", path: "package/x/", bytes: pkg([{ name: "package/x/", type: "0", data: "x" }]) });
  one({ name: "old-style regular file flag NUL", code: "ENTRY_UNSUPPORTED_TYPE", path: "package/x", bytes: pkg([{ name: "package/x", type: "\0", data: "x" }]) });
  one({ name: "contiguous file", code: "ENTRY_UNSUPPORTED_TYPE", path: "package/x", bytes: pkg([{ name: "package/x", type: "7", data: "x" }]) });
  one({ name: "group-writable file", code: "ENTRY_MODE_NOT_PORTABLE", path: "package/x", bytes: pkg([{ name: "package/x", data: "x", mode: 0o664 }]) });
  one({ name: "executable by others but not the owner", code: "ENTRY_MODE_NOT_PORTABLE", path: "package/x", bytes: pkg([{ name: "package/x", data: "x", mode: 0o645 }]) });
  one({ name: "name in NFD (bsdtar extracts it as NFC)", code: "ENTRY_NOT_NFC", path: "package/cafe\u0301", bytes: pkg([{ name: "package/cafe\u0301", data: "x" }]) });
  one({ name: "symlink without a target in its own header (node-tar drops it)", code: "TAR_BAD_FIELD", bytes: pkg([gnuLongName("libhello.so.1.0.0", "K"), { name: "package/libs/libhello.so", type: "2" }]) });
  one({ name: "one zero block as the end marker", code: "TAR_SHORT_END", bytes: pkg([], { end: Buffer.alloc(512) }) });
  one({ name: "manifest with a byte-order mark", code: "MANIFEST_INVALID_JSON", path: "package/manifest.json", bytes: pkg([], { replace: withManifest(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), staging.manifest])) }) });
  one({
    name: "manifest with a duplicate key",
    code: "MANIFEST_INVALID_JSON",
    path: "package/manifest.json",
    bytes: pkg([], { replace: withManifest(`{"serverBinary":"evil",${JSON.stringify(VALID_MANIFEST).slice(1)}`) }),
  });
  one({ name: "manifest not UTF-8", code: "MANIFEST_INVALID_JSON", path: "package/manifest.json", bytes: pkg([], { replace: withManifest(Buffer.from(JSON.stringify({ ...VALID_MANIFEST, engineId: "llama-cpp\u00e9" }), "latin1")) }) });
  one({ name: "manifest with an unpaired surrogate", code: "MANIFEST_INVALID_JSON", path: "package/manifest.json", bytes: pkg([], { replace: withManifest(JSON.stringify(VALID_MANIFEST).replace('"gguf"', '"gguf\\ud800"')) }) });

  // §2 entry safety
  add({ name: "entry outside package/", rule: "2", code: "ENTRY_OUTSIDE_PACKAGE", path: "other/file", bytes: pkg([{ name: "other/file", data: "x" }]) });
  add({ name: "absolute path", rule: "2", code: "ENTRY_ABSOLUTE_PATH", path: "/etc/cron.d/evil", bytes: pkg([{ name: "/etc/cron.d/evil", data: "x" }]) });
  add({ name: "absolute path with repeated roots", rule: "2", code: "ENTRY_ABSOLUTE_PATH", path: "////tmp/evil", bytes: pkg([{ name: "////tmp/evil", data: "x" }]) });
  add({ name: "dot-dot traversal", rule: "2", code: "ENTRY_PATH_TRAVERSAL", path: "package/../../evil", bytes: pkg([{ name: "package/../../evil", data: "x" }]) });
  add({ name: "backslash traversal", rule: "2", code: "ENTRY_BACKSLASH", path: "package/..\\..\\evil", bytes: pkg([{ name: "package/..\\..\\evil", data: "x" }]) });
  add({ name: "drive-relative path C:x", rule: "2", code: "ENTRY_DRIVE_PATH", path: "C:evil", bytes: pkg([{ name: "C:evil", data: "x" }]) });
  add({ name: "repeated drive roots c:c:/", rule: "2", code: "ENTRY_DRIVE_PATH", path: "c:c:/package/evil", bytes: pkg([{ name: "c:c:/package/evil", data: "x" }]) });
  add({ name: "drive letter inside the path", rule: "2", code: "ENTRY_DRIVE_PATH", path: "package/C:evil", bytes: pkg([{ name: "package/C:evil", data: "x" }]) });
  add({ name: "colon (alternate data stream)", rule: "2", code: "ENTRY_COLON", path: "package/llama-server:stream", bytes: pkg([{ name: "package/llama-server:stream", data: "x" }]) });
  add({ name: "case collision", rule: "2", code: "ENTRY_CASE_COLLISION", path: "package/LLAMA-SERVER", bytes: pkg([{ name: "package/LLAMA-SERVER", data: "x", mode: 0o755 }]) });
  add({ name: "NFC/NFD collision", rule: "2", code: "ENTRY_UNICODE_COLLISION", path: "package/cafe\u0301", bytes: pkg([{ name: "package/caf\u00e9", data: "a" }, { name: "package/cafe\u0301", data: "b" }]) });
  add({ name: "ß/ss collision", rule: "2", code: "ENTRY_CASE_COLLISION", path: "package/strasse", bytes: pkg([{ name: "package/stra\u00dfe", data: "a" }, { name: "package/strasse", data: "b" }]) });
  add({ name: "ignorable-character collision", rule: "2", code: "ENTRY_IGNORABLE_COLLISION", path: "package/llama\u200d-server", bytes: pkg([{ name: "package/llama\u200d-server", data: "x" }]) });
  add({ name: "Windows reserved name", rule: "2", code: "ENTRY_RESERVED_NAME", path: "package/CON", bytes: pkg([{ name: "package/CON", data: "x" }]) });
  add({ name: "Windows reserved name with extension", rule: "2", code: "ENTRY_RESERVED_NAME", path: "package/libs/com1.dll", bytes: pkg([{ name: "package/libs/com1.dll", data: "x" }]) });
  add({ name: "trailing dot", rule: "2", code: "ENTRY_TRAILING_DOT_SPACE", path: "package/evil.", bytes: pkg([{ name: "package/evil.", data: "x" }]) });
  add({ name: "trailing space", rule: "2", code: "ENTRY_TRAILING_DOT_SPACE", path: "package/evil ", bytes: pkg([{ name: "package/evil ", data: "x" }]) });
  add({ name: "control character", rule: "2", code: "ENTRY_INVALID_CHARACTER", path: "package/a\u0001b", bytes: pkg([{ name: "package/a\u0001b", data: "x" }]) });
  add({ name: "dot segment", rule: "2", code: "ENTRY_DOT_SEGMENT", path: "package/./x", bytes: pkg([{ name: "package/./x", data: "x" }]) });
  add({ name: "invalid UTF-8 name", rule: "2", code: "ENTRY_INVALID_ENCODING", bytes: pkg([{ name: Buffer.from([...Buffer.from("package/"), 0xff, 0xfe]), data: "x" }]) });
  add({ name: "hardlink to a file outside", rule: "2", code: "ENTRY_HARDLINK", path: "package/passwd", bytes: pkg([{ name: "package/passwd", type: "1", linkname: "/etc/passwd" }]) });
  add({ name: "hardlink inside the package", rule: "2", code: "ENTRY_HARDLINK", path: "package/copy", bytes: pkg([{ name: "package/copy", type: "1", linkname: "package/llama-server" }]) });
  add({ name: "character device", rule: "2", code: "ENTRY_DEVICE", path: "package/null", bytes: pkg([{ name: "package/null", type: "3" }]) });
  add({ name: "block device", rule: "2", code: "ENTRY_DEVICE", path: "package/sda", bytes: pkg([{ name: "package/sda", type: "4" }]) });
  add({ name: "FIFO", rule: "2", code: "ENTRY_FIFO", path: "package/pipe", bytes: pkg([{ name: "package/pipe", type: "6" }]) });
  add({ name: "GNU sparse file", rule: "2", code: "ENTRY_UNSUPPORTED_TYPE", path: "package/sparse", bytes: pkg([{ name: "package/sparse", type: "S", format: "gnu" }]) });
  add({ name: "symlink escaping with ..", rule: "2", code: "ENTRY_SYMLINK_ESCAPE", path: "package/evil", bytes: pkg([{ name: "package/evil", type: "2", linkname: "../../../etc/passwd" }]) });
  add({ name: "symlink to an absolute path", rule: "2", code: "ENTRY_SYMLINK_ESCAPE", path: "package/evil", bytes: pkg([{ name: "package/evil", type: "2", linkname: "/etc/passwd" }]) });
  add({
    name: "symlink escaping through another symlink",
    rule: "2",
    code: "ENTRY_SYMLINK_ESCAPE",
    path: "package/a/b/l",
    bytes: pkg([{ name: "package/a/b/m", type: "2", linkname: "../../libs" }, { name: "package/a/b/l", type: "2", linkname: "m/../.." }]),
  });
  add({
    name: "file written through a symlink (node-tar CVE-2021-32803 style)",
    rule: "2",
    code: "ENTRY_THROUGH_SYMLINK",
    path: "package/out/pwned",
    bytes: pkg([{ name: "package/out", type: "2", linkname: "libs" }, { name: "package/out/pwned", data: "x" }]),
  });
  add({
    name: "symlink then directory of the same name (node-tar CVE-2021-37701 style)",
    rule: "2",
    code: "ENTRY_DUPLICATE",
    path: "package/d",
    bytes: pkg([{ name: "package/d", type: "2", linkname: "../../tmp" }, { name: "package/d/", type: "5" }, { name: "package/d/x", data: "x" }]),
  });
  add({ name: "entry replacing the package root", rule: "2", code: "ENTRY_REPLACES_ROOT", path: "package", bytes: pkg([{ name: "package", type: "2", linkname: "/" }]) });
  add({ name: "setuid executable", rule: "2", code: "ENTRY_SPECIAL_MODE", path: "package/suid", bytes: pkg([{ name: "package/suid", data: "x", mode: 0o4755 }]) });
  add({ name: "setgid directory", rule: "2", code: "ENTRY_SPECIAL_MODE", path: "package/sgid", bytes: pkg([{ name: "package/sgid/", type: "5", mode: 0o2755 }]) });
  add({ name: "sticky bit", rule: "2", code: "ENTRY_SPECIAL_MODE", path: "package/tmp", bytes: pkg([{ name: "package/tmp/", type: "5", mode: 0o1777 }]) });
  add({ name: "duplicate manifest", rule: "2", code: "ENTRY_DUPLICATE", path: "package/manifest.json", bytes: pkg([{ name: "package/manifest.json", data: staging.manifest }]) });
  add({
    name: "PAX path hides a traversal behind a benign name",
    rule: "2",
    code: "ENTRY_PATH_TRAVERSAL",
    path: "package/../../../home/user/.bashrc",
    bytes: pkg([paxHeader([["path", "package/../../../home/user/.bashrc"]]), { name: "package/benign", data: "x" }]),
  });
  add({
    name: "GNU long name hides an absolute path",
    rule: "2",
    code: "ENTRY_ABSOLUTE_PATH",
    path: `/tmp/${"a".repeat(120)}`,
    bytes: pkg([gnuLongName(`/tmp/${"a".repeat(120)}`), { name: "package/benign", data: "x", format: "gnu" }]),
  });
  add({
    name: "PAX linkpath escapes while the header's link looks fine",
    rule: "2",
    code: "ENTRY_SYMLINK_ESCAPE",
    path: "package/link",
    bytes: pkg([paxHeader([["linkpath", "../../../../etc/shadow"]]), { name: "package/link", type: "2", linkname: "libs" }]),
  });
  add({
    name: "ustar prefix field with traversal",
    rule: "2",
    code: "ENTRY_PATH_TRAVERSAL",
    path: "package/../../x/evil",
    bytes: pkg([{ name: "x/evil", prefix: "package/../..", data: "x" }]),
  });

  // §3 limits
  add({
    name: "decompression bomb",
    rule: "3",
    code: "LIMIT_COMPRESSION_RATIO",
    bytes: gzipSync(Buffer.concat([tarArchive(good, false), tarHeader({ name: "package/bomb", size: 64 * 1024 * 1024 }), Buffer.alloc(64 * 1024 * 1024)]), { level: 9 }),
  });
  add({ name: "total size over a lowered limit", rule: "3", code: "LIMIT_UNCOMPRESSED_SIZE", bytes: goodGz, limits: { maxUncompressedSize: 4096 } });
  add({ name: "entry count over the limit", rule: "3", code: "LIMIT_ENTRY_COUNT", bytes: pkg(Array.from({ length: 10 }, (_, i) => ({ name: `package/f${i}`, data: "x" }))), limits: { maxEntries: 8 } });
  add({ name: "path too long", rule: "3", code: "LIMIT_PATH_LENGTH", bytes: pkg([paxHeader([["path", `package/${"a/".repeat(10)}${"b".repeat(1100)}`]]), { name: "package/x", data: "x" }]) });
  add({ name: "path too deep", rule: "3", code: "LIMIT_PATH_DEPTH", bytes: pkg([paxHeader([["path", `package/${"d/".repeat(40)}f`]]), { name: "package/x", data: "x" }]) });
  add({ name: "manifest too large", rule: "3", code: "LIMIT_MANIFEST_SIZE", path: "package/manifest.json", bytes: pkg([], { replace: withManifest(`${JSON.stringify(VALID_MANIFEST)}${" ".repeat(2 * 1024 * 1024)}`) }) });
  add({
    name: "extension header too large",
    rule: "3",
    code: "LIMIT_EXTENSION_HEADER",
    bytes: pkg([{ name: "PaxHeaders/x", type: "x", data: paxRecord("comment", "c".repeat(200_000)) }, { name: "package/x", data: "x" }]),
  });

  // §4 manifest
  add({ name: "manifest missing", rule: "4", code: "MANIFEST_MISSING", bytes: gzip(tarArchive(good.filter((m) => m.name !== "package/manifest.json"))) });
  add({ name: "manifest not JSON", rule: "4", code: "MANIFEST_INVALID_JSON", path: "package/manifest.json", bytes: pkg([], { replace: withManifest("{ not json") }) });
  {
    const { serverBinary: _drop, ...rest } = VALID_MANIFEST;
    add({ name: "manifest missing serverBinary", rule: "4", code: "MANIFEST_SCHEMA", path: "package/manifest.json", bytes: pkg([], { replace: withManifest(JSON.stringify(rest)) }) });
  }
  add({
    name: "manifest version differs from the file name",
    rule: "4",
    code: "MANIFEST_FILENAME_MISMATCH",
    path: "package/manifest.json",
    bytes: pkg([], { replace: withManifest(JSON.stringify({ ...VALID_MANIFEST, version: "b9999" })) }),
  });
  add({
    name: "manifest accelerator differs from the file name",
    rule: "4",
    code: "MANIFEST_FILENAME_MISMATCH",
    bytes: pkg([], { replace: withManifest(JSON.stringify({ ...VALID_MANIFEST, accelerator: "cuda", acceleratorVersion: "12.4" })) }),
  });
  add({ name: "file name is not a package name", rule: "4", code: "FILENAME_INVALID", bytes: goodGz, filename: "llama-server.tar.gz" });

  // §5 server binary
  add({ name: "server binary missing", rule: "5", code: "SERVER_BINARY_MISSING", bytes: gzip(tarArchive(good.filter((m) => m.name !== "package/llama-server"))) });
  add({ name: "server binary is a script", rule: "5", code: "SERVER_BINARY_NOT_NATIVE", bytes: pkg([], { replace: withServer({ name: "package/llama-server", data: "#!/bin/sh\necho version\n", mode: 0o755 }) }) });
  add({ name: "server binary without exec bit", rule: "5", code: "SERVER_BINARY_NOT_EXECUTABLE", bytes: pkg([], { replace: withServer({ name: "package/llama-server", data: staging.server, mode: 0o644 }) }) });
  add({ name: "server binary is a library", rule: "5", code: "SERVER_BINARY_NOT_EXECUTABLE_KIND", bytes: pkg([], { replace: withServer({ name: "package/llama-server", data: staging.library, mode: 0o755 }) }) });
  add({ name: "server binary is a directory", rule: "5", code: "SERVER_BINARY_NOT_FILE", bytes: pkg([], { replace: withServer({ name: "package/llama-server/", type: "5" }) }) });
  {
    const arm = compile(join(work, "arm"), "aarch64-linux-gnu-gcc", "server", "int main(void) { return 0; }\n");
    add({ name: "server binary for another CPU", rule: "5", code: "SERVER_BINARY_WRONG_ARCH", bytes: pkg([], { replace: withServer({ name: "package/llama-server", data: arm, mode: 0o755 }) }) });
    const exe = compile(join(work, "win"), "x86_64-w64-mingw32-gcc", "server.exe", "int main(void) { return 0; }\n");
    add({ name: "server binary for another OS", rule: "5", code: "SERVER_BINARY_WRONG_OS", bytes: pkg([], { replace: withServer({ name: "package/llama-server", data: exe, mode: 0o755 }) }) });
    const truncated = staging.server.subarray(0, 100);
    add({ name: "server binary with corrupt headers", rule: "5", code: "SERVER_BINARY_CORRUPT", bytes: pkg([], { replace: withServer({ name: "package/llama-server", data: truncated, mode: 0o755 }) }) });
  }

  // §6 libraries (integration; the library rules have their own tests)
  {
    const abs = compile(join(work, "abs"), "gcc", "llama-server", "int main(void) { return 0; }\n", ["-Wl,-rpath,/home/builder/llama.cpp/build/bin"]);
    add({ name: "absolute build-machine RUNPATH", rule: "6", code: "LIB_ABSOLUTE_RUNPATH", bytes: pkg([], { replace: withServer({ name: "package/llama-server", data: abs, mode: 0o755 }) }) });
    add({
      name: "bundled library missing",
      rule: "6",
      code: "LIB_UNRESOLVED",
      bytes: gzip(tarArchive(good.filter((m) => !String(m.name).startsWith("package/libs/libhello")))),
    });
  }
  return cases;
}
