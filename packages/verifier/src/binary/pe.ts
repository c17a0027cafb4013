import { BinaryFormatError, type BinaryInfo } from "./binary-info.js";
import { type ByteSource, Fields } from "./byte-source.js";

// PE/COFF constants from the Microsoft PE format specification.
const MACHINES = new Map<number, string>([[0x8664, "x86_64"], [0xaa64, "aarch64"], [0x14c, "i386"], [0x1c4, "arm"], [0xa641, "arm64ec"]]);
const IMAGE_FILE_EXECUTABLE_IMAGE = 0x0002;
const IMAGE_FILE_DLL = 0x2000;
const PE32 = 0x10b;
const PE32_PLUS = 0x20b;
const DIR_IMPORT = 1;
const DIR_DELAY_IMPORT = 13;
/** The loader rejects more than 96 sections; anything far beyond is corrupt. */
const MAX_SECTIONS = 96;
const MAX_DESCRIPTORS = 4096;
const MAX_DLL_NAME = 256;

export function isPe(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x4d && head[1] === 0x5a; // "MZ"
}

interface Section { va: number; vsize: number; raw: number; rawSize: number }

export function readPe(src: ByteSource): BinaryInfo {
  const dos = new Fields(src.read(0, 64), true, "DOS header");
  const peAt = dos.u32(0x3c);
  const coff = new Fields(src.read(peAt, 24), true, "PE header");
  if (coff.u32(0) !== 0x00004550) throw new BinaryFormatError(`PE: no "PE\\0\\0" signature at ${peAt}`);
  const machineId = coff.u16(4);
  const nsections = coff.u16(6);
  const optSize = coff.u16(20);
  const characteristics = coff.u16(22);
  if (nsections > MAX_SECTIONS) throw new BinaryFormatError(`PE: ${nsections} sections`);

  const machine = MACHINES.get(machineId) ?? `pe-machine-0x${machineId.toString(16)}`;
  const info: BinaryInfo = {
    format: "pe",
    os: "windows",
    arch: machine === "x86_64" || machine === "aarch64" ? machine : null,
    machine,
    kind: characteristics & IMAGE_FILE_DLL ? "library" : characteristics & IMAGE_FILE_EXECUTABLE_IMAGE ? "executable" : "other",
    needed: [],
    rpath: [],
    runpath: [],
    symbolVersions: {},
  };
  if (optSize === 0) return info; // an object file, not an image: nothing is imported

  const opt = new Fields(src.read(peAt + 24, optSize), true, "PE optional header");
  const magic = opt.u16(0);
  if (magic !== PE32 && magic !== PE32_PLUS) throw new BinaryFormatError(`PE: optional header magic 0x${magic.toString(16)}`);
  const plus = magic === PE32_PLUS;
  const imageBase = plus ? opt.u64(24) : opt.u32(28);
  const dirCount = opt.u32(plus ? 108 : 92);
  const directory = (index: number) =>
    index < dirCount && (plus ? 112 : 96) + index * 8 + 8 <= optSize
      ? { rva: opt.u32((plus ? 112 : 96) + index * 8), size: opt.u32((plus ? 112 : 96) + index * 8 + 4) }
      : { rva: 0, size: 0 };

  const table = new Fields(src.read(peAt + 24 + optSize, nsections * 40), true, "PE section table");
  const sections: Section[] = [];
  for (let i = 0; i < nsections; i++) {
    const o = i * 40;
    sections.push({ va: table.u32(o + 12), vsize: table.u32(o + 8), raw: table.u32(o + 20), rawSize: table.u32(o + 16) });
  }

  const names = new Map<string, string>(); // lower-case → as written; Windows matches DLL names case-insensitively
  const add = (name: string) => {
    if (!names.has(name.toLowerCase())) names.set(name.toLowerCase(), name);
  };
  const imports = directory(DIR_IMPORT);
  if (imports.rva) readDescriptors(src, sections, imports.rva, 20, 12, add);
  const delayed = directory(DIR_DELAY_IMPORT);
  if (delayed.rva) {
    // The loader never walks the delay table (each stub knows its own descriptor), so linkers may omit the zero
    // terminator: the directory's declared size bounds it instead.
    readDescriptors(src, sections, delayed.rva, 32, 4, add, delayed.size, (attributes, rva) =>
      // Descriptors from old linkers (attributes bit 0 clear) hold virtual addresses, not RVAs.
      attributes & 1 || rva < imageBase ? rva : rva - imageBase,
    );
  }
  info.needed = [...names.values()];
  return info;
}

/** Maps an RVA to a file offset through the section whose raw data holds it. */
function rvaToOffset(sections: Section[], rva: number): { offset: number; room: number } {
  for (const s of sections) {
    if (rva >= s.va && rva < s.va + Math.max(s.vsize, s.rawSize) && rva - s.va < s.rawSize) {
      return { offset: s.raw + (rva - s.va), room: s.rawSize - (rva - s.va) };
    }
  }
  throw new BinaryFormatError(`PE: RVA 0x${rva.toString(16)} is in no section`);
}

/**
 * Import (20-byte) and delay-import (32-byte) descriptors are arrays ended by an all-zero entry (or, for delay
 * imports, by `declaredSize`); `nameField` is where the DLL name RVA sits in each.
 */
function readDescriptors(
  src: ByteSource,
  sections: Section[],
  rva: number,
  entrySize: number,
  nameField: number,
  add: (name: string) => void,
  declaredSize?: number,
  fixName: (attributes: number, rva: number) => number = (_a, r) => r,
): void {
  const start = rvaToOffset(sections, rva);
  // Read the descriptors as one range: within the section, never more than the cap of entries.
  const inSection = Math.min(Math.floor(start.room / entrySize), MAX_DESCRIPTORS);
  const count = declaredSize ? Math.min(inSection, Math.floor(declaredSize / entrySize)) : inSection;
  const table = new Fields(src.read(start.offset, count * entrySize), true, "PE import descriptors");
  for (let i = 0; i < count; i++) {
    const entry = table.bytes.subarray(i * entrySize, (i + 1) * entrySize);
    if (entry.every((b) => b === 0)) return;
    const nameRva = table.u32(i * entrySize + nameField);
    if (nameRva === 0) continue;
    const at = rvaToOffset(sections, fixName(table.u32(i * entrySize), nameRva));
    const name = new Fields(src.read(at.offset, Math.min(at.room, MAX_DLL_NAME)), true, "PE DLL name").cstring(0);
    add(name);
  }
  if (!declaredSize) throw new BinaryFormatError("PE: import descriptor table has no terminating entry");
}
