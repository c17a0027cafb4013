import fc from "fast-check";
import { goodMembers, type Staging } from "./good-package.js";
import { gzipSync } from "node:zlib";
import { gnuLongName, paxHeader, type RawEntry, tarArchive } from "./tar-writer.js";

/**
 * fast-check archives for the differential suite: the good package's members (so that many archives
 * pass the verifier and reach the comparison) written in random ways (ustar prefix, PAX path, GNU long
 * names, owners, times), plus random extra entries with random header fields, PAX records, entry types,
 * declared sizes and link targets, and a random end of archive.
 */

/** [offset, length] of the header fields a patch may overwrite. */
const FIELDS: Record<string, [number, number]> = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  linkname: [157, 100],
  magic: [257, 8],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
  pad: [500, 12],
};

const NUMBERS = ["0000644\0", "644\0", "   644 \0", "0000755 ", "0000000\0", "\0\0\0\0\0\0\0\0", "0000644x", "\u0000000644\0", "7777777\0", "\u0080\0\0\0\0\0\0\u0001", "        ", "1234567 "];
const STRINGS = ["root\0", "\0hidden", "x\0y", "", "package/evil\0", "ustar\u000000", "ustar  \0", "ustar\0  ", "ustar\u0000\u0000\u0000"];

const patch = fc.record({ field: fc.constantFrom(...Object.keys(FIELDS)), value: fc.constantFrom(...NUMBERS, ...STRINGS), at: fc.nat(20) }).map(({ field, value, at }) => {
  const [start, length] = FIELDS[field]!;
  const bytes = Buffer.from(value, "latin1").subarray(0, length);
  const offset = field === "name" || field === "linkname" || field === "prefix" ? start + Math.min(at, length - bytes.length) : start;
  return (h: Buffer) => bytes.copy(h, offset);
});

const segment = fc.oneof(
  { weight: 12, arbitrary: fc.stringMatching(/^[a-z0-9]([a-z0-9._-]{0,10}[a-z0-9])?$/) },
  { weight: 2, arbitrary: fc.constantFrom("x".repeat(60), "y".repeat(110)) },
  { weight: 1, arbitrary: fc.constantFrom("..", ".", "", "a b", "caf\u00e9", "cafe\u0301", "CON", "x.", "a\\b", "c:", "\u200d", "stra\u00dfe", "LIBS", "a\u0001") },
);
const relative = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join("/"));
const entryName = fc.oneof({ weight: 12, arbitrary: relative.map((p) => `package/extra/${p}`) }, { weight: 1, arbitrary: relative }, { weight: 1, arbitrary: relative.map((p) => `package/${p}`) });
const linkTarget = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.nat(2), relative).map(([up, p]) => `${"../".repeat(up)}${p}`) },
  { weight: 2, arbitrary: fc.constantFrom("../manifest.json", "../../llama-server", "../libs/libhello.so.1.0.0") },
  { weight: 1, arbitrary: fc.constantFrom("/etc", "", "../../../../../../etc/passwd", "x".repeat(120)) },
);
const mode = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom(0o644, 0o755, 0o600, 0o700, 0o640, 0o750) },
  { weight: 2, arbitrary: fc.constantFrom(0o664, 0o777, 0o444, 0o555, 0o4755, 0o645, 0o100644, 0o1777) },
  { weight: 1, arbitrary: fc.nat(0o7777) },
);
const paxRecordArb = fc.oneof(
  { weight: 24, arbitrary: fc.constantFrom<[string, string]>(["mtime", "1700000000.25"], ["atime", "1700000000"], ["ctime", "1"], ["uid", "0"], ["gid", "1000"], ["uname", "root"], ["gname", "staff"]) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<[string, string]>(["comment", "hi"], ["SCHILY.xattr.security.capability", "x"], ["LIBARCHIVE.xattr.user.a", "Yg=="], ["hdrcharset", "BINARY"], ["GNU.sparse.size", "1"], ["uid", "-1"], ["mtime", ""], ["path", ""]),
  },
  { weight: 1, arbitrary: fc.tuple(fc.stringMatching(/^[a-z.]{1,12}$/), fc.string({ maxLength: 8 })) },
);

interface ExtraSpec {
  kind: "file" | "directory" | "symlink" | "other";
  typeflag: string;
  name: string;
  naming: "header" | "prefix" | "pax" | "gnu";
  linking: "header" | "pax" | "gnu";
  target: string;
  data: Uint8Array;
  declared: number | null;
  paxSize: "none" | "same" | "zero-header" | "other";
  mode: number;
  format: "ustar" | "gnu" | "v7";
  pax: [string, string][];
  /** PAX records and GNU long names on one entry (refused: readers let different ones win). */
  mixed: boolean;
  patches: ((h: Buffer) => void)[];
  signed: boolean;
  uid: number;
}

const extra: fc.Arbitrary<ExtraSpec> = fc.record({
  kind: fc.oneof({ weight: 12, arbitrary: fc.constantFrom("file", "file", "file", "directory", "symlink", "symlink") }, { weight: 1, arbitrary: fc.constant("other") }),
  typeflag: fc.constantFrom("1", "3", "6", "7", "S", "\0", "V", "D", "g", "K", "L", "x", "A"),
  name: entryName,
  naming: fc.constantFrom("header", "header", "header", "prefix", "pax", "gnu"),
  linking: fc.constantFrom("header", "header", "header", "pax", "pax", "gnu"),
  target: linkTarget,
  data: fc.uint8Array({ maxLength: 1100 }),
  declared: fc.oneof({ weight: 16, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(0, 1, 511, 512, 513, 1024) }),
  paxSize: fc.oneof({ weight: 16, arbitrary: fc.constantFrom("none", "none", "none", "same") }, { weight: 1, arbitrary: fc.constantFrom("zero-header", "other") }),
  mode,
  format: fc.oneof({ weight: 12, arbitrary: fc.constantFrom("ustar", "ustar", "gnu") }, { weight: 1, arbitrary: fc.constant("v7") }),
  pax: fc.array(paxRecordArb, { maxLength: 2 }),
  mixed: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  patches: fc.oneof({ weight: 16, arbitrary: fc.constant([] as ((h: Buffer) => void)[]) }, { weight: 1, arbitrary: fc.array(patch, { minLength: 1, maxLength: 2 }) }),
  signed: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  uid: fc.constantFrom(0, 0, 1000, 0o7777777),
});

/** The members (extension headers included) that write one spec. */
function membersOf(s: ExtraSpec): RawEntry[] {
  const type = s.kind === "file" ? "0" : s.kind === "directory" ? "5" : s.kind === "symlink" ? "2" : s.typeflag;
  const name = s.kind === "directory" ? `${s.name}/` : s.name;
  const isLink = type === "1" || type === "2";
  const data = s.kind === "file" || s.kind === "other" ? Buffer.from(s.data) : Buffer.alloc(0);
  const out: RawEntry[] = [];
  const pax: [string, string][] = [...s.pax];
  const entry: RawEntry = { name, type, mode: s.mode, data, format: s.format, uid: s.uid, signedChecksum: s.signed, patch: (h) => {
      for (const p of s.patches) p(h);
    },
  };
  if (s.declared !== null) entry.size = s.declared;
  if (s.paxSize === "same") pax.push(["size", String(entry.size ?? data.length)]);
  else if (s.paxSize === "zero-header") {
    pax.push(["size", String(entry.size ?? data.length)]);
    entry.size = 0;
  } else if (s.paxSize === "other") pax.push(["size", String((entry.size ?? data.length) + 512)]);
  // Unless mixing is the point, one kind of extension per entry: GNU long names, or PAX records.
  const gnu = (s.naming === "gnu" || (isLink && s.linking === "gnu")) && !s.mixed;
  if (gnu) pax.length = 0;
  applyNaming({ ...s, naming: gnu && (s.naming === "pax" || Buffer.byteLength(name) > 100) ? "gnu" : s.naming }, name, entry, pax, out);
  if (isLink) {
    if (s.linking === "gnu" || (gnu && s.linking === "pax")) out.push(gnuLongName(s.target, "K"));
    else if (s.linking === "pax") pax.push(["linkpath", s.target]);
    else entry.linkname = s.target;
  }
  if (pax.length > 0) out.push(paxHeader(pax));
  out.push(entry);
  return out;
}

function applyNaming(s: ExtraSpec, name: string, entry: RawEntry, pax: [string, string][], out: RawEntry[]): void {
  const bytes = Buffer.byteLength(name);
  if (s.naming === "pax" || (s.naming === "header" && bytes > 100)) {
    pax.push(["path", name]);
    entry.name = `PaxName/${bytes}`;
  } else if (s.naming === "gnu") {
    out.push(gnuLongName(name));
    entry.name = name.slice(0, 99);
  } else if (s.naming === "prefix") {
    const cut = name.lastIndexOf("/", name.length - 2);
    if (cut > 0 && cut <= 155 && Buffer.byteLength(name.slice(cut + 1)) <= 100) {
      entry.prefix = name.slice(0, cut);
      entry.name = name.slice(cut + 1);
    }
  }
}

/** The good package's members with random formats, owners, times and name encodings. */
function goodVariant(staging: Staging): fc.Arbitrary<RawEntry[][]> {
  const members = goodMembers(staging);
  const perMember = fc.record({ format: fc.constantFrom<"ustar" | "gnu">("ustar", "ustar", "gnu"), naming: fc.constantFrom("header", "header", "pax", "prefix", "gnu"), uid: fc.constantFrom(0, 1000), mtime: fc.nat(2 ** 33) });
  return fc.array(perMember, { minLength: members.length, maxLength: members.length }).map((choices) =>
    members.map((m, i) => {
      const c = choices[i]!;
      const name = String(m.name);
      const entry: RawEntry = { ...m, format: c.format, uid: c.uid, patch: (h) => h.write(`${c.mtime.toString(8).padStart(11, "0")}\0`, 136, "latin1") };
      if (c.naming === "pax") return [paxHeader([["path", name], ["mtime", String(c.mtime)]]), { ...entry, name: "PaxName" }];
      if (c.naming === "gnu") return [gnuLongName(name), { ...entry, format: "gnu" as const }];
      if (c.naming === "prefix" && c.format === "ustar" && name.lastIndexOf("/", name.length - 2) > 0) {
        const cut = name.lastIndexOf("/", name.length - 2);
        return [{ ...entry, prefix: name.slice(0, cut), name: name.slice(cut + 1) }];
      }
      return [entry];
    }),
  );
}

const endMarker = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(1024, 1024, 10240, 1536) }, { weight: 1, arbitrary: fc.constantFrom(512, 0) }).map((n) => Buffer.alloc(n));

/** One generated .baiengine (gzip'd tar bytes). */
export function archiveArbitrary(staging: Staging): fc.Arbitrary<Buffer> {
  return fc
    .record({ good: goodVariant(staging), extras: fc.array(extra, { maxLength: 4 }), at: fc.nat(8), end: endMarker })
    .map(({ good, extras, at, end }) => {
      // Extras go between whole members, never between an extension header and its entry.
      const groups = [...good];
      groups.splice(Math.min(at, groups.length), 0, ...extras.map(membersOf));
      return gzipSync(tarArchive(groups.flat(), end), { level: 1 });
    });
}
