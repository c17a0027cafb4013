import { gzipSync } from "node:zlib";

/** One raw tar member, written byte by byte so tests can produce what no well-behaved tar writer would. */
export interface RawEntry {
  name: string | Buffer;
  /** Type flag character; default "0" (file), "5" for names ending in "/". */
  type?: string;
  mode?: number;
  data?: Buffer | string;
  /** Declared size; default the data's length. */
  size?: number;
  /** Raw 12-byte size field (overrides `size`). */
  sizeField?: Buffer;
  linkname?: string;
  prefix?: string;
  /** "ustar" (POSIX, default), "gnu" ("ustar  \0"), or "v7" (no magic). */
  format?: "ustar" | "gnu" | "v7";
  /** Write a wrong checksum. */
  badChecksum?: boolean;
  uid?: number;
  gid?: number;
  /** Writes raw bytes into the header before its checksum (fields no well-behaved writer would set). */
  patch?: (header: Buffer) => void;
  /** Checksum as the signed sum of the header bytes (old Sun tar) instead of the unsigned one. */
  signedChecksum?: boolean;
}

function octal(value: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  b.write(`${value.toString(8).padStart(length - 1, "0")}\0`, "latin1");
  return b;
}

export function tarHeader(e: RawEntry): Buffer {
  const h = Buffer.alloc(512);
  const name = typeof e.name === "string" ? Buffer.from(e.name, "utf8") : e.name;
  name.copy(h, 0, 0, Math.min(100, name.length));
  const data = e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data);
  const type = e.type ?? (typeof e.name === "string" && e.name.endsWith("/") ? "5" : "0");
  octal(e.mode ?? (type === "5" ? 0o755 : 0o644), 8).copy(h, 100);
  octal(e.uid ?? 0, 8).copy(h, 108);
  octal(e.gid ?? 0, 8).copy(h, 116);
  (e.sizeField ?? octal(e.size ?? data.length, 12)).copy(h, 124);
  octal(1700000000, 12).copy(h, 136);
  h.write(type, 156, "latin1");
  if (e.linkname) Buffer.from(e.linkname, "utf8").copy(h, 157, 0, 100);
  const format = e.format ?? "ustar";
  if (format === "ustar") {
    h.write("ustar\u000000", 257, "latin1");
    h.write("root", 265);
    h.write("root", 297);
    if (e.prefix) h.write(e.prefix, 345, "utf8");
  } else if (format === "gnu") {
    h.write("ustar  \u0000", 257, "latin1");
    h.write("root", 265);
    h.write("root", 297);
  }
  e.patch?.(h);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of h) sum += e.signedChecksum && byte > 127 ? byte - 256 : byte;
  if (e.badChecksum) sum += 1;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return h;
}

/** A member: header plus data padded to 512 bytes (data may be shorter than the declared size). */
export function tarMember(e: RawEntry): Buffer {
  const data = e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data);
  const pad = (512 - (data.length % 512)) % 512;
  return Buffer.concat([tarHeader(e), data, Buffer.alloc(pad)]);
}

export function paxData(records: [string, string | Buffer][]): Buffer {
  return Buffer.concat(records.map(([k, v]) => paxRecord(k, v)));
}

/** `"<len> key=value\n"` with the self-inclusive length. */
export function paxRecord(key: string, value: string | Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), Buffer.from(value), Buffer.from("\n")]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

export function paxHeader(records: [string, string | Buffer][], type: "x" | "g" = "x"): RawEntry {
  return { name: "PaxHeaders/x", type, data: paxData(records) };
}

export function gnuLongName(name: string, type: "L" | "K" = "L"): RawEntry {
  return { name: "././@LongLink", type, data: Buffer.from(`${name}\0`), format: "gnu" };
}

export const END = Buffer.alloc(1024);

/** Members, then the end-of-archive marker unless `end` is false. */
export function tarArchive(entries: (RawEntry | Buffer)[], end: boolean | Buffer = true): Buffer {
  const parts = entries.map((e) => (Buffer.isBuffer(e) ? e : tarMember(e)));
  if (end === true) parts.push(END);
  else if (Buffer.isBuffer(end)) parts.push(end);
  return Buffer.concat(parts);
}

export function gzip(data: Buffer): Buffer {
  return gzipSync(data, { level: 6 });
}

export const VALID_MANIFEST = {
  engineId: "llama-cpp",
  version: "b4618",
  accelerator: "cpu",
  acceleratorVersion: null,
  os: "linux",
  arch: "x86_64",
  serverBinary: "llama-server",
  modelFormats: ["gguf"],
  minAppVersion: "0.11.0",
};

export const PACKAGE_NAME = "llama-cpp-b4618-linux-x86_64-cpu.baiengine";
