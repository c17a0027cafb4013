import { posix } from "node:path";
import type { TarEntry } from "../archive/tar-reader.js";
import { errorFinding, type Finding } from "../findings.js";
import type { Limits } from "../limits.js";

export const PACKAGE_ROOT = "package";

/** Code points file systems may drop or ignore in names (Unicode default-ignorables: zero-width, bidi controls, variation selectors). */
const IGNORABLE = /[\p{Default_Ignorable_Code_Point}\u061C]/gu;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/iu;
const WINDOWS_FORBIDDEN = /[<>"|?*\u0000-\u001f\u007f]/u;

/**
 * Checks one entry on its own (§2: name, type, mode) and §3's path limits. Returns the findings;
 * cross-entry rules (collisions, symlinks) live in `EntrySet`.
 */
export function checkEntry(entry: TarEntry, limits: Limits): Finding[] {
  const findings: Finding[] = [];
  const path = entry.path;
  const add = (code: string, message: string) => findings.push(errorFinding(code, message, path));

  if (entry.invalidEncoding) add("ENTRY_INVALID_ENCODING", "the name or link target is not valid UTF-8");
  findings.push(...checkPathSyntax(path, "name").map((f) => ({ ...f, path })));

  const bytes = Buffer.byteLength(path);
  if (bytes > limits.maxPathLength) add("LIMIT_PATH_LENGTH", `path is ${bytes} bytes, over the limit of ${limits.maxPathLength}`);
  const depth = path.split("/").length;
  if (depth > limits.maxPathDepth) add("LIMIT_PATH_DEPTH", `path has ${depth} segments, over the limit of ${limits.maxPathDepth}`);

  const segments = path.split("/");
  if (path !== PACKAGE_ROOT && segments[0] !== PACKAGE_ROOT) add("ENTRY_OUTSIDE_PACKAGE", `entries must be under ${PACKAGE_ROOT}/`);
  if (segments.some((s) => s.startsWith("._"))) add("ENTRY_APPLEDOUBLE", `is macOS metadata (an AppleDouble "._" file of extended attributes that macOS tar adds): ${MAC_REPACK}`);
  if (path === PACKAGE_ROOT && entry.type !== "directory") add("ENTRY_REPLACES_ROOT", `a ${entry.type} would replace the ${PACKAGE_ROOT}/ folder itself`);

  switch (entry.type) {
    case "file":
    case "directory":
      break;
    case "symlink":
      findings.push(...checkPathSyntax(entry.linkpath, "link target").map((f) => ({ ...f, path })));
      if (entry.linkpath === "") add("ENTRY_SYMLINK_ESCAPE", "symlink has an empty target");
      break;
    case "hardlink":
      add("ENTRY_HARDLINK", `hard links are not allowed (to ${JSON.stringify(entry.linkpath)})`);
      break;
    case "character-device":
    case "block-device":
      add("ENTRY_DEVICE", `${entry.type} entries are not allowed`);
      break;
    case "fifo":
      add("ENTRY_FIFO", "FIFO entries are not allowed");
      break;
    default:
      add("ENTRY_UNSUPPORTED_TYPE", `entry type ${JSON.stringify(entry.typeflag)}${UNSUPPORTED_TYPES[entry.typeflag] ?? ""} is not a regular file ("0"), directory ("5") or symlink ("2")`);
  }
  if (entry.mode & 0o7000) {
    const bits = [entry.mode & 0o4000 ? "setuid" : "", entry.mode & 0o2000 ? "setgid" : "", entry.mode & 0o1000 ? "sticky" : ""].filter(Boolean);
    add("ENTRY_SPECIAL_MODE", `${bits.join("/")} bit set (mode ${entry.mode.toString(8)})`);
  } else {
    const why = unportableMode(entry);
    if (why) add("ENTRY_MODE_NOT_PORTABLE", `mode ${entry.mode.toString(8).padStart(3, "0")} ${why}`);
  }
  return findings;
}

/** How to pack on macOS without its metadata (bsdtar's options; COPYFILE_DISABLE stops copyfile's AppleDouble entries). */
export const MAC_REPACK = "re-pack with `COPYFILE_DISABLE=1 tar --no-xattrs --no-mac-metadata -C DIR -czf FILE package` (or GNU tar)";

/** What readers do with the types a package may not use, for the finding's message. */
const UNSUPPORTED_TYPES: Record<string, string> = {
  "\0": " (old-style regular file: a folder to GNU tar and Python when the name ends in \"/\")",
  "7": " (contiguous file: a regular file to some tools, unknown to others)",
  S: " (GNU sparse file: expanded by GNU tar and bsdtar, stored as-is by the others)",
};

/**
 * Why a mode extracts differently from one tool to the next, or null. Python's `data` filter (what
 * `tarfile` extraction defaults to from 3.14) clears group/other write bits, adds owner read/write to
 * files and drops execute bits the owner lacks (CPython `tarfile._get_filtered_attrs`); GNU tar and
 * bsdtar keep the header's bits. Directories need owner rwx for their contents to be written.
 */
export function unportableMode(entry: Pick<TarEntry, "type" | "mode">): string | null {
  const mode = entry.mode;
  if (entry.type === "file") {
    if (mode & 0o022) return "lets group or others write (Python's data filter clears those bits, GNU tar keeps them)";
    if ((mode & 0o600) !== 0o600) return "is not readable and writable by its owner (Python's data filter adds those bits)";
    if (mode & 0o011 && !(mode & 0o100)) return "is executable by group or others but not its owner (Python's data filter clears the bits)";
  } else if (entry.type === "directory") {
    if (mode & 0o022) return "lets group or others write (Python ignores directory modes, GNU tar keeps them)";
    if ((mode & 0o700) !== 0o700) return "does not let its owner list and write it (extraction of its contents fails in some tools)";
  }
  return null;
}

/** Syntax rules for a path (entry name or symlink target), without a path in the findings. */
export function checkPathSyntax(path: string, what: "name" | "link target"): Finding[] {
  const out: Finding[] = [];
  const add = (code: string, message: string) => out.push(errorFinding(code, `${what} ${JSON.stringify(path)}: ${message}`));
  if (path === "") {
    if (what === "name") add("ENTRY_EMPTY_NAME", "is empty");
    return out;
  }
  if (path.includes("\\")) add("ENTRY_BACKSLASH", "contains a backslash (a path separator on Windows)");
  if (/^[A-Za-z]:/.test(path) || /(^|[/\\])[A-Za-z]:/.test(path)) add("ENTRY_DRIVE_PATH", "contains a drive letter (C:x is drive-relative on Windows)");
  else if (path.includes(":")) add("ENTRY_COLON", "contains ':' (alternate data streams on Windows, drive letters)");
  // Absolute paths are only an error for names; a link target's absoluteness is judged by resolution.
  if (what === "name" && (path.startsWith("/") || /^[\\/]{2,}/.test(path))) add("ENTRY_ABSOLUTE_PATH", "is absolute");
  const segments = path.split("/");
  if (what === "name" && segments.includes("..")) add("ENTRY_PATH_TRAVERSAL", "has a '..' segment");
  if (what === "name" && segments.some((s, i) => s === "." || (s === "" && i > 0 && i < segments.length))) {
    add("ENTRY_DOT_SEGMENT", "has '.' or empty segments");
  }
  if (WINDOWS_FORBIDDEN.test(path)) add("ENTRY_INVALID_CHARACTER", "contains a control character or one of < > \" | ? * that Windows forbids");
  for (const segment of segments) {
    if (segment === "" || segment === "." || segment === "..") continue;
    if (/[. ]$/.test(segment)) add("ENTRY_TRAILING_DOT_SPACE", `segment ${JSON.stringify(segment)} ends in a dot or space (Windows strips them)`);
    const stem = segment.split(".")[0]!.replace(/ +$/, "");
    if (WINDOWS_RESERVED.test(stem)) add("ENTRY_RESERVED_NAME", `segment ${JSON.stringify(segment)} is a reserved device name on Windows`);
  }
  // libarchive converts UTF-8 names to NFC when it decodes them (archive_string.c), the other readers keep the bytes.
  if (path !== path.normalize("NFC")) add("ENTRY_NOT_NFC", "is not in Unicode NFC (bsdtar writes the NFC form, other tools the name as stored)");
  IGNORABLE.lastIndex = 0;
  if (IGNORABLE.test(path)) add("ENTRY_IGNORABLE_CHARACTER", "contains characters that file systems ignore (zero-width, bidi or variation selectors)");
  IGNORABLE.lastIndex = 0;
  return out;
}

/** The name a case-insensitive, normalisation-insensitive file system stores: NFC, ignorables dropped, full case fold. */
export function foldName(path: string, level: "nfc" | "ignorable" | "case"): string {
  let s = path.normalize("NFC");
  if (level === "nfc") return s;
  s = s.replace(IGNORABLE, "");
  if (level === "ignorable") return s;
  // toUpperCase then toLowerCase folds ß to ss and ﬁ to fi, like a full case fold.
  return s.toUpperCase().toLowerCase().normalize("NFC");
}

interface Seen {
  path: string;
  type: TarEntry["type"];
}

/**
 * Rules across entries (§2): duplicates, names that collide on case-/normalisation-insensitive or
 * ignoring file systems, entries written through a symlink, symlinks resolving outside the package.
 */
export class EntrySet {
  private exact = new Map<string, Seen>();
  private byLevel = { nfc: new Map<string, Seen>(), ignorable: new Map<string, Seen>(), case: new Map<string, Seen>() };
  readonly symlinks = new Map<string, string>();
  readonly files = new Map<string, TarEntry>();
  readonly directories = new Set<string>();
  private allPaths: string[] = [];

  /** @param root Folder every symlink must resolve under (`package`), or null: anywhere inside the archive (source tarballs). */
  constructor(private readonly root: string | null = PACKAGE_ROOT) {}

  /** Registers an entry; returns collision findings. */
  add(entry: TarEntry): Finding[] {
    const out: Finding[] = [];
    const path = entry.path;
    const prior = this.exact.get(path);
    if (prior) {
      out.push(errorFinding("ENTRY_DUPLICATE", `appears more than once (a later copy overwrites the ${prior.type})`, path));
    } else {
      const codes = { nfc: "ENTRY_UNICODE_COLLISION", ignorable: "ENTRY_IGNORABLE_COLLISION", case: "ENTRY_CASE_COLLISION" } as const;
      const what = {
        nfc: "after Unicode normalisation (NFC/NFD)",
        ignorable: "once ignorable characters are dropped",
        case: "on a case-insensitive file system",
      } as const;
      for (const level of ["nfc", "ignorable", "case"] as const) {
        const key = foldName(path, level);
        const other = this.byLevel[level].get(key);
        if (other) {
          out.push(errorFinding(codes[level], `collides with ${JSON.stringify(other.path)} ${what[level]}`, path));
          break;
        }
      }
      for (const level of ["nfc", "ignorable", "case"] as const) {
        const key = foldName(path, level);
        if (!this.byLevel[level].has(key)) this.byLevel[level].set(key, { path, type: entry.type });
      }
    }
    this.exact.set(path, { path, type: entry.type });
    this.allPaths.push(path);
    if (entry.type === "symlink") this.symlinks.set(path, entry.linkpath);
    else if (entry.type === "file") this.files.set(path, entry);
    else if (entry.type === "directory") this.directories.add(path);
    return out;
  }

  /** Findings that need every entry: writes through symlinks and symlink targets. Call at the end. */
  finish(): Finding[] {
    const out: Finding[] = [];
    for (const path of this.allPaths) {
      const segments = path.split("/");
      for (let i = 1; i < segments.length; i++) {
        const parent = segments.slice(0, i).join("/");
        if (this.symlinks.has(parent)) {
          out.push(errorFinding("ENTRY_THROUGH_SYMLINK", `would be written through the symlink ${JSON.stringify(parent)}`, path));
          break;
        }
      }
    }
    for (const [path, target] of this.symlinks) {
      const resolved = this.resolve(path);
      const root = this.root;
      if (resolved === null || (root !== null && !resolved.startsWith(`${root}/`))) {
        out.push(errorFinding("ENTRY_SYMLINK_ESCAPE", `symlink target ${JSON.stringify(target)} resolves outside the ${root === null ? "archive" : "package"}`, path));
      }
    }
    return out;
  }

  /**
   * Where a symlink points, following other symlinks of the archive segment by segment (as the
   * OS would after extraction). null when absolute, looping, or climbing above the archive root.
   */
  resolve(link: string): string | null {
    let hops = 0;
    const walk = (parts: string[], from: string[]): string[] | null => {
      const stack = [...from];
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i]!;
        if (part === "" || part === ".") continue;
        if (part === "..") {
          if (stack.length === 0) return null;
          stack.pop();
          continue;
        }
        stack.push(part);
        const here = stack.join("/");
        const target = this.symlinks.get(here);
        if (target !== undefined) {
          if (++hops > 40 || target.startsWith("/") || target === "") return null;
          stack.pop();
          const resolved = walk(target.split("/"), stack);
          if (resolved === null) return null;
          stack.length = 0;
          stack.push(...resolved);
        }
      }
      return stack;
    };
    const target = this.symlinks.get(link);
    if (target === undefined || target.startsWith("/")) return null;
    const result = walk(target.split("/"), posix.dirname(link).split("/"));
    return result === null ? null : result.join("/");
  }
}
