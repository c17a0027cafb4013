/**
 * Builds Mach-O files byte by byte (Mach-O cannot be linked on this Linux host).
 * Layout per <mach-o/loader.h>: mach_header(_64) {magic, cputype, cpusubtype, filetype, ncmds, sizeofcmds, flags[, reserved]}
 * followed by load commands {cmd, cmdsize, ...} padded to 8 bytes (4 for 32-bit); strings (lc_str) are offsets from the
 * command's start. Fat files per <mach-o/fat.h>, always big-endian: {0xcafebabe, nfat_arch} + fat_arch {cputype,
 * cpusubtype, offset, size, align} (fat_arch_64 under 0xcafebabf: 64-bit offset/size + reserved).
 */
export const CPU = { x86_64: 0x01000007, aarch64: 0x0100000c, i386: 7, ppc: 18 } as const;
export const LC = { LOAD_DYLIB: 0xc, ID_DYLIB: 0xd, LOAD_WEAK_DYLIB: 0x80000018, RPATH: 0x8000001c, REEXPORT_DYLIB: 0x8000001f, VERSION_MIN_MACOSX: 0x24, BUILD_VERSION: 0x32 };
const FILETYPE = { execute: 2, dylib: 6, bundle: 8, object: 1 } as const;

export interface ThinSpec {
  cpu: number;
  filetype: keyof typeof FILETYPE;
  bits?: 32 | 64;
  bigEndian?: boolean;
  id?: string;
  dylibs?: { cmd: number; name: string }[];
  rpaths?: string[];
  buildVersion?: [number, number, number];
  versionMin?: [number, number, number];
}

class Writer {
  bytes: number[] = [];
  constructor(private readonly bigEndian: boolean) {}
  u32(v: number) {
    const b = [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    this.bytes.push(...(this.bigEndian ? b : b.reverse()));
    return this;
  }
  u64(v: number) {
    const hi = Math.floor(v / 2 ** 32);
    return this.bigEndian ? this.u32(hi).u32(v >>> 0) : this.u32(v >>> 0).u32(hi);
  }
  raw(b: Iterable<number>) {
    this.bytes.push(...b);
    return this;
  }
}

const packVersion = ([a, b, c]: [number, number, number]) => (a << 16) | (b << 8) | c;

export function buildThin(spec: ThinSpec): Uint8Array {
  const is64 = (spec.bits ?? 64) === 64;
  const be = spec.bigEndian ?? false;
  const align = is64 ? 8 : 4;
  const commands: number[][] = [];
  const command = (cmd: number, fixed: (w: Writer) => void, text?: string) => {
    const w = new Writer(be).u32(cmd).u32(0);
    fixed(w);
    if (text !== undefined) w.raw(new TextEncoder().encode(`${text}\0`));
    while (w.bytes.length % align) w.bytes.push(0);
    const size = new Writer(be).u32(w.bytes.length).bytes;
    w.bytes.splice(4, 4, ...size);
    commands.push(w.bytes);
  };
  const dylib = (cmd: number, name: string) => command(cmd, (w) => w.u32(24).u32(2).u32(0x10000).u32(0x10000), name);
  if (spec.id) dylib(LC.ID_DYLIB, spec.id);
  for (const d of spec.dylibs ?? []) dylib(d.cmd, d.name);
  for (const r of spec.rpaths ?? []) command(LC.RPATH, (w) => w.u32(12), r);
  if (spec.buildVersion) command(LC.BUILD_VERSION, (w) => w.u32(1).u32(packVersion(spec.buildVersion!)).u32(packVersion(spec.buildVersion!)).u32(0));
  if (spec.versionMin) command(LC.VERSION_MIN_MACOSX, (w) => w.u32(packVersion(spec.versionMin!)).u32(0));
  const sizeofcmds = commands.reduce((n, c) => n + c.length, 0);
  // MH_MAGIC(_64) written in the file's byte order: "feedfacf" big-endian, "cffaedfe" on disk little-endian.
  const h = new Writer(be).u32(is64 ? 0xfeedfacf : 0xfeedface).u32(spec.cpu).u32(spec.cpu === CPU.x86_64 ? 3 : 0);
  h.u32(FILETYPE[spec.filetype]).u32(commands.length).u32(sizeofcmds).u32(0x85);
  if (is64) h.u32(0);
  // A little code-like tail so a slice is more than its headers.
  return Uint8Array.from([...h.bytes, ...commands.flat(), ...new Array(64).fill(0xcc)]);
}

export function buildFat(slices: { cpu: number; bytes: Uint8Array }[], options: { fat64?: boolean; alignLog2?: number } = {}): Uint8Array {
  const alignLog2 = options.alignLog2 ?? 12;
  const entry = options.fat64 ? 32 : 20;
  let offset = 8 + slices.length * entry;
  const placed = slices.map((s) => {
    offset = Math.ceil(offset / 2 ** alignLog2) * 2 ** alignLog2;
    const at = offset;
    offset += s.bytes.length;
    return { ...s, at };
  });
  const h = new Writer(true).u32(options.fat64 ? 0xcafebabf : 0xcafebabe).u32(slices.length);
  for (const s of placed) {
    h.u32(s.cpu).u32(s.cpu === CPU.x86_64 ? 3 : 0);
    if (options.fat64) h.u64(s.at).u64(s.bytes.length).u32(alignLog2).u32(0);
    else h.u32(s.at).u32(s.bytes.length).u32(alignLog2);
  }
  const out = new Uint8Array(offset);
  out.set(h.bytes, 0);
  for (const s of placed) out.set(s.bytes, s.at);
  return out;
}
