import { maxDottedVersion } from "@baiengine/schema";
import { BinaryFormatError, type BinaryInfo } from "./binary-info.js";
import { type ByteSource, Fields } from "./byte-source.js";

// ELF constants (System V gABI); only what the library check needs.
const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const ET_EXEC = 2;
const ET_DYN = 3;
const DT = { NULL: 0, NEEDED: 1, STRTAB: 5, STRSZ: 10, SONAME: 14, RPATH: 15, RUNPATH: 29, VERNEED: 0x6ffffffe, VERNEEDNUM: 0x6fffffff };
/** Symbol-version families whose highest version decides the oldest distribution a package loads on. */
const VERSION_FAMILIES = ["GLIBC", "GLIBCXX", "CXXABI"];
/** Guards against looping or huge version-need chains in corrupt files. */
const MAX_VERNEED_ENTRIES = 4096;

const MACHINES: Record<number, string> = {
  2: "sparc", 3: "i386", 8: "mips", 20: "ppc", 21: "ppc64", 22: "s390", 40: "arm", 43: "sparcv9", 62: "x86_64", 183: "aarch64", 243: "riscv", 258: "loongarch",
};

export function isElf(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

interface Segment { type: number; offset: number; vaddr: number; filesz: number }

export function readElf(src: ByteSource): BinaryInfo {
  const ident = src.read(0, 16);
  const cls = ident[4];
  const data = ident[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) throw new BinaryFormatError(`ELF: unknown class ${cls} or data encoding ${data}`);
  const is64 = cls === 2;
  const le = data === 1;
  const eh = new Fields(src.read(0, is64 ? 64 : 52), le, "ELF header");
  const type = eh.u16(16);
  const machineId = eh.u16(18);
  const phoff = is64 ? eh.u64(32) : eh.u32(28);
  const phentsize = eh.u16(is64 ? 54 : 42);
  const phnum = eh.u16(is64 ? 56 : 44);
  const minEnt = is64 ? 56 : 32;
  if (phnum > 0 && phentsize < minEnt) throw new BinaryFormatError(`ELF: program header entry size ${phentsize} is below ${minEnt}`);

  const ph = new Fields(src.read(phoff, phnum * phentsize), le, "ELF program headers");
  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = i * phentsize;
    segments.push(
      is64
        ? { type: ph.u32(o), offset: ph.u64(o + 8), vaddr: ph.u64(o + 16), filesz: ph.u64(o + 32) }
        : { type: ph.u32(o), offset: ph.u32(o + 4), vaddr: ph.u32(o + 8), filesz: ph.u32(o + 16) },
    );
  }

  const machine = MACHINES[machineId] ?? `elf-machine-${machineId}`;
  const interpSeg = segments.find((s) => s.type === PT_INTERP);
  const info: BinaryInfo = {
    format: "elf",
    os: "linux",
    arch: machine === "x86_64" || machine === "aarch64" ? machine : null,
    machine,
    kind: type === ET_EXEC || (type === ET_DYN && interpSeg) ? "executable" : type === ET_DYN ? "library" : "other",
    needed: [],
    rpath: [],
    runpath: [],
    symbolVersions: {},
  };
  if (interpSeg) info.interpreter = new Fields(src.read(interpSeg.offset, interpSeg.filesz), le, "PT_INTERP").cstring(0);

  const dynSeg = segments.find((s) => s.type === PT_DYNAMIC);
  // Linkers put .dynsym/.dynstr/.gnu.version_r in the first loaded segment, ahead of the dynamic
  // section that points at them: a stream must keep them before it knows it needs them.
  const first = segments.find((s) => s.type === PT_LOAD);
  if (dynSeg && first && first.offset < dynSeg.offset) src.prefetch?.(first.offset, Math.min(first.filesz, dynSeg.offset - first.offset));
  if (dynSeg) readDynamic(src, dynSeg, segments, is64, le, info);
  return info;
}

/** Dynamic entries hold virtual addresses; PT_LOAD segments say where those addresses sit in the file. */
function fileOffset(segments: Segment[], vaddr: number, what: string): number {
  const load = segments.find((s) => s.type === PT_LOAD && s.vaddr <= vaddr && vaddr < s.vaddr + s.filesz);
  if (!load) throw new BinaryFormatError(`ELF: ${what} address 0x${vaddr.toString(16)} is in no loaded segment`);
  return vaddr - load.vaddr + load.offset;
}

function readDynamic(src: ByteSource, dynSeg: Segment, segments: Segment[], is64: boolean, le: boolean, info: BinaryInfo): void {
  const entSize = is64 ? 16 : 8;
  const dyn = new Fields(src.read(dynSeg.offset, dynSeg.filesz - (dynSeg.filesz % entSize)), le, "ELF dynamic section");
  const strings = { needed: [] as number[], soname: -1, rpath: -1, runpath: -1 };
  let strtab = -1;
  let strsz = -1;
  let verneed = -1;
  let verneednum = 0;
  for (let o = 0; o + entSize <= dyn.bytes.length; o += entSize) {
    const tag = is64 ? dyn.u64Loose(o) : dyn.u32(o);
    if (tag === DT.NULL) break;
    const val = () => (is64 ? dyn.u64(o + 8) : dyn.u32(o + 4));
    if (tag === DT.NEEDED) strings.needed.push(val());
    else if (tag === DT.SONAME) strings.soname = val();
    else if (tag === DT.RPATH) strings.rpath = val();
    else if (tag === DT.RUNPATH) strings.runpath = val();
    else if (tag === DT.STRTAB) strtab = val();
    else if (tag === DT.STRSZ) strsz = val();
    else if (tag === DT.VERNEED) verneed = val();
    else if (tag === DT.VERNEEDNUM) verneednum = val();
  }
  const anyString = strings.needed.length > 0 || strings.soname >= 0 || strings.rpath >= 0 || strings.runpath >= 0 || verneed >= 0;
  if (!anyString) return;
  if (strtab < 0 || strsz < 0) throw new BinaryFormatError("ELF: dynamic section has names but no DT_STRTAB/DT_STRSZ");
  const str = new Fields(src.read(fileOffset(segments, strtab, "DT_STRTAB"), strsz), le, "ELF dynamic string table");

  info.needed = strings.needed.map((i) => str.cstring(i));
  if (strings.soname >= 0) info.soname = str.cstring(strings.soname);
  // Search paths are ':'-separated; empty entries mean the current directory to ld.so, keep them visible.
  if (strings.rpath >= 0) info.rpath = str.cstring(strings.rpath).split(":");
  if (strings.runpath >= 0) info.runpath = str.cstring(strings.runpath).split(":");
  if (verneed >= 0) info.symbolVersions = readVersionNeeds(src, fileOffset(segments, verneed, "DT_VERNEED"), verneednum, le, str);
}

/** Walks Elf_Verneed/Elf_Vernaux (16 bytes each in both classes) for the highest GLIBC_/GLIBCXX_/CXXABI_ versions. */
function readVersionNeeds(src: ByteSource, start: number, count: number, le: boolean, str: Fields): Record<string, string> {
  if (count > MAX_VERNEED_ENTRIES) throw new BinaryFormatError(`ELF: ${count} version-need entries is absurd`);
  const best: Record<string, string> = {};
  let entries = 0;
  let at = start;
  for (let i = 0; i < count; i++) {
    const vn = new Fields(src.read(at, 16), le, "ELF version need");
    const cnt = vn.u16(2);
    let auxAt = at + vn.u32(8);
    for (let j = 0; j < cnt; j++) {
      if (++entries > MAX_VERNEED_ENTRIES) throw new BinaryFormatError("ELF: version-need chain is too long");
      const aux = new Fields(src.read(auxAt, 16), le, "ELF version need aux");
      const match = /^([A-Z]+)_(\d+(?:\.\d+)*)$/.exec(str.cstring(aux.u32(8)));
      if (match && VERSION_FAMILIES.includes(match[1]!)) best[match[1]!] = maxDottedVersion(best[match[1]!], match[2]!)!;
      const next = aux.u32(12);
      if (next === 0) break;
      auxAt += next;
    }
    const next = vn.u32(12);
    if (next === 0) break;
    at += next;
  }
  return best;
}
