import { BinaryFormatError, type BinaryInfo } from "./binary-info.js";
import { type ByteSource, Fields } from "./byte-source.js";

// Mach-O constants from <mach-o/loader.h> and <mach-o/fat.h>.
const MH_MAGIC = 0xfeedface;
const MH_MAGIC_64 = 0xfeedfacf;
const MH_CIGAM = 0xcefaedfe;
const MH_CIGAM_64 = 0xcffaedfe;
const FAT_MAGIC = 0xcafebabe;
const FAT_MAGIC_64 = 0xcafebabf;
const MH_EXECUTE = 2;
const MH_DYLIB = 6;
const MH_BUNDLE = 8;
const LC = {
  LOAD_DYLIB: 0xc, ID_DYLIB: 0xd, LOAD_WEAK_DYLIB: 0x80000018, RPATH: 0x8000001c, REEXPORT_DYLIB: 0x8000001f,
  LAZY_LOAD_DYLIB: 0x20, LOAD_UPWARD_DYLIB: 0x80000023, VERSION_MIN_MACOSX: 0x24, BUILD_VERSION: 0x32,
};
const DEPENDENCY_COMMANDS = new Set([LC.LOAD_DYLIB, LC.LOAD_WEAK_DYLIB, LC.REEXPORT_DYLIB, LC.LAZY_LOAD_DYLIB, LC.LOAD_UPWARD_DYLIB]);
const PLATFORM_MACOS = 1;
/** Java class files share 0xcafebabe; their "count" is a class-file version (≥ 45), real fat files have a handful of slices. */
const MAX_FAT_SLICES = 16;

const CPU_TYPES = new Map<number, string>([
  [7, "i386"], [0x01000007, "x86_64"], [12, "arm"], [0x0100000c, "aarch64"], [0x0200000c, "arm64_32"], [18, "ppc"], [0x01000012, "ppc64"],
]);

function u32be(head: Uint8Array): number {
  return head.length < 4 ? -1 : new DataView(head.buffer, head.byteOffset, 4).getUint32(0, false);
}

export function isMachO(head: Uint8Array): boolean {
  const magic = u32be(head);
  if (magic === MH_MAGIC || magic === MH_MAGIC_64 || magic === MH_CIGAM || magic === MH_CIGAM_64) return true;
  if (magic !== FAT_MAGIC && magic !== FAT_MAGIC_64) return false;
  if (head.length < 8) return true;
  const n = new DataView(head.buffer, head.byteOffset, 8).getUint32(4, false);
  return n > 0 && n <= MAX_FAT_SLICES;
}

export function readMachO(src: ByteSource): BinaryInfo {
  const magic = new Fields(src.read(0, 8), false, "Mach-O header");
  const m = magic.u32(0);
  if (m === FAT_MAGIC || m === FAT_MAGIC_64) return readFat(src, m === FAT_MAGIC_64, magic.u32(4));
  return readThin(src, 0);
}

function readFat(src: ByteSource, is64: boolean, count: number): BinaryInfo {
  if (count === 0 || count > MAX_FAT_SLICES) throw new BinaryFormatError(`Mach-O fat header: ${count} slices is not plausible`);
  const entry = is64 ? 32 : 20;
  const table = new Fields(src.read(8, count * entry), false, "Mach-O fat arch table");
  const slices: BinaryInfo[] = [];
  for (let i = 0; i < count; i++) {
    const offset = is64 ? table.u64(i * entry + 8) : table.u32(i * entry + 8);
    // A slice must start after the fat table; this also stops a slice that points back at the fat header.
    if (offset < 8 + count * entry) throw new BinaryFormatError(`Mach-O fat slice ${i} starts inside the fat header`);
    const slice = readThin(src, offset);
    if (slice.slices) throw new BinaryFormatError("Mach-O fat slice is itself fat");
    slices.push(slice);
  }
  const first = slices[0]!;
  const union = (pick: (s: BinaryInfo) => string[]) => [...new Set(slices.flatMap(pick))];
  return {
    ...first,
    arch: slices.length === 1 ? first.arch : null,
    machine: slices.map((s) => s.machine).join("+"),
    needed: union((s) => s.needed),
    rpath: union((s) => s.rpath),
    slices,
  };
}

function readThin(src: ByteSource, base: number): BinaryInfo {
  const magic = u32be(src.read(base, 4));
  let le: boolean;
  if (magic === MH_MAGIC || magic === MH_MAGIC_64) le = false;
  else if (magic === MH_CIGAM || magic === MH_CIGAM_64) le = true;
  else throw new BinaryFormatError(`Mach-O slice at ${base}: bad magic 0x${magic.toString(16)}`);
  const is64 = magic === MH_MAGIC_64 || magic === MH_CIGAM_64;
  const headerSize = is64 ? 32 : 28;
  const h = new Fields(src.read(base, headerSize), le, "Mach-O header");
  const cputype = h.u32(4);
  const filetype = h.u32(12);
  const ncmds = h.u32(16);
  const sizeofcmds = h.u32(20);
  if (ncmds > sizeofcmds / 8) throw new BinaryFormatError(`Mach-O: ${ncmds} load commands cannot fit in ${sizeofcmds} bytes`);
  const machine = CPU_TYPES.get(cputype) ?? `mach-cpu-${cputype}`;
  const info: BinaryInfo = {
    format: "macho",
    os: "macos",
    arch: machine === "x86_64" || machine === "aarch64" ? machine : null,
    machine,
    kind: filetype === MH_EXECUTE ? "executable" : filetype === MH_DYLIB || filetype === MH_BUNDLE ? "library" : "other",
    needed: [],
    rpath: [],
    runpath: [],
    symbolVersions: {},
  };

  const cmds = new Fields(src.read(base + headerSize, sizeofcmds), le, "Mach-O load commands");
  let at = 0;
  for (let i = 0; i < ncmds; i++) {
    const cmd = cmds.u32(at);
    const size = cmds.u32(at + 4);
    if (size < 8 || at + size > sizeofcmds) throw new BinaryFormatError(`Mach-O: load command ${i} has size ${size}`);
    const c = new Fields(cmds.bytes.subarray(at, at + size), le, "Mach-O load command");
    // lc_str: an offset from the command's start to a NUL-terminated string inside the command.
    const str = () => c.cstring(c.u32(8));
    if (DEPENDENCY_COMMANDS.has(cmd)) info.needed.push(str());
    else if (cmd === LC.ID_DYLIB) info.soname = str();
    else if (cmd === LC.RPATH) info.rpath.push(str());
    else if (cmd === LC.VERSION_MIN_MACOSX) info.macosMin = formatVersion(c.u32(8));
    else if (cmd === LC.BUILD_VERSION && c.u32(8) === PLATFORM_MACOS) info.macosMin = formatVersion(c.u32(12));
    at += size;
  }
  return info;
}

/** Mach-O packs versions as xxxx.yy.zz in nibbles: 0x000b0000 = 11.0, 0x000a0f04 = 10.15.4. */
function formatVersion(v: number): string {
  const patch = v & 0xff;
  return `${v >>> 16}.${(v >>> 8) & 0xff}${patch ? `.${patch}` : ""}`;
}
