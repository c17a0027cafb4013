/**
 * Builds a minimal ELF shared object byte by byte, for classes and byte orders no installed compiler produces
 * (32-bit, big-endian) and for layouts a test needs (a dynamic section far from the head).
 * Layout: ELF header (52/64 bytes), then two program headers (32/56 bytes: PT_LOAD over the whole file and
 * PT_DYNAMIC), .dynstr at 256, zeros, and the dynamic entries (8/16 bytes each) in the file's last 128 bytes.
 */
export interface ElfSpec {
  bits: 32 | 64;
  bigEndian: boolean;
  machine: number; // e_machine: 62 x86_64, 183 aarch64, 8 mips, 20 ppc, 40 arm
  size: number;
  needed: string[];
  soname?: string;
  runpath?: string;
  /** Overrides PT_DYNAMIC's p_filesz (to test absurd sizes). */
  dynamicFileSize?: number;
}

export interface BuiltElf {
  head: Uint8Array; // the first 4096 bytes
  tail: Uint8Array; // the last 128 bytes; zeros in between
  size: number;
}

export function buildElf(spec: ElfSpec): BuiltElf {
  const is64 = spec.bits === 64;
  const le = !spec.bigEndian;
  const head = new Uint8Array(4096);
  const h = new DataView(head.buffer);
  const word = (view: DataView, at: number, v: number) => (is64 ? view.setBigUint64(at, BigInt(v), le) : view.setUint32(at, v, le));
  head.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1]);
  h.setUint16(16, 3, le); // ET_DYN
  h.setUint16(18, spec.machine, le);
  h.setUint32(20, 1, le);
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  word(h, is64 ? 32 : 28, ehsize); // e_phoff: right after the header
  h.setUint16(is64 ? 52 : 40, ehsize, le);
  h.setUint16(is64 ? 54 : 42, phentsize, le);
  h.setUint16(is64 ? 56 : 44, 2, le);

  let strings = "\0";
  const str = (s: string) => {
    const at = strings.length;
    strings += `${s}\0`;
    return at;
  };
  const entries: [number, number][] = spec.needed.map((n) => [1, str(n)]);
  if (spec.soname !== undefined) entries.push([14, str(spec.soname)]);
  if (spec.runpath !== undefined) entries.push([29, str(spec.runpath)]);
  entries.push([5, 256], [10, strings.length], [0, 0]);
  head.set(new TextEncoder().encode(strings), 256);

  const dynAt = spec.size - 128;
  const entSize = is64 ? 16 : 8;
  const phdr = (at: number, type: number, offset: number, filesz: number) => {
    h.setUint32(at, type, le);
    // 64-bit: p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align; 32-bit: p_flags comes after p_memsz.
    const fields = is64 ? [8, 16, 24, 32, 40] : [4, 8, 12, 16, 20];
    [offset, offset, offset, filesz, filesz].forEach((v, i) => {
      word(h, at + fields[i]!, v);
    });
    h.setUint32(at + (is64 ? 4 : 24), 4, le);
  };
  phdr(ehsize, 1, 0, spec.size);
  phdr(ehsize + phentsize, 2, dynAt, spec.dynamicFileSize ?? entries.length * entSize);
  const tail = new Uint8Array(128);
  const t = new DataView(tail.buffer);
  entries.forEach(([tag, val], i) => {
    word(t, i * entSize, tag);
    word(t, i * entSize + entSize / 2, val);
  });
  return { head, tail, size: spec.size };
}

export function elfBytes(elf: BuiltElf): Uint8Array {
  const bytes = new Uint8Array(elf.size);
  bytes.set(elf.head);
  bytes.set(elf.tail, elf.size - elf.tail.length);
  return bytes;
}
