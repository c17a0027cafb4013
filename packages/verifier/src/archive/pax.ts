/**
 * PAX extended-header records (`"<len> <key>=<value>\n"`), read strictly. Only the keys a package
 * needs are accepted; every other key is something some tools act on and others ignore: vendor
 * xattrs (`SCHILY.xattr.*`, `LIBARCHIVE.xattr.*`: bsdtar run as root restores `security.capability`),
 * `GNU.sparse.*` (sparse maps), `hdrcharset` (changes how Python decodes names), `comment`, ACLs.
 */

/** Keys a package may carry, with the value shape every reader parses the same way. */
const ALLOWED: Record<string, RegExp | null> = {
  path: null,
  linkpath: null,
  size: /^(0|[1-9]\d{0,15})$/,
  uid: /^(0|[1-9]\d{0,9})$/,
  gid: /^(0|[1-9]\d{0,9})$/,
  uname: null,
  gname: null,
  mtime: /^\d{1,12}(\.\d{1,9})?$/,
  atime: /^\d{1,12}(\.\d{1,9})?$/,
  ctime: /^\d{1,12}(\.\d{1,9})?$/,
};

/** Why a key is refused, in words a package author can act on. */
function refusedKey(key: string): string {
  if (/^(SCHILY|LIBARCHIVE)\.xattr\./.test(key) || key.startsWith("SCHILY.acl") || key.startsWith("LIBARCHIVE.")) {
    const mac = key.includes("com.apple.") ? " (macOS's quarantine or Finder attributes)" : "";
    return `PAX key ${JSON.stringify(key)} is a vendor extension${mac} (extended attributes or ACLs that bsdtar restores and other tools ignore); re-pack without them: \`tar --no-xattrs --no-acls -C DIR -czf FILE package\`, on macOS \`COPYFILE_DISABLE=1 tar --no-xattrs --no-mac-metadata -C DIR -czf FILE package\``;
  }
  if (key.startsWith("GNU.sparse")) return `PAX key ${JSON.stringify(key)} describes a sparse file (read only by GNU tar and bsdtar)`;
  if (key === "hdrcharset" || key === "charset") return `PAX key ${JSON.stringify(key)} changes how names are decoded by some tools only`;
  return `PAX key ${JSON.stringify(key)} is not one a package uses (only ${Object.keys(ALLOWED).join(", ")})`;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The records of one PAX header as a map, or the reason it is refused: malformed framing, bytes after
 * the last record (Python 3.11 stops reading there, GNU tar fails), a repeated key, a NUL, invalid UTF-8,
 * an empty value (a "delete" in POSIX that readers apply differently), a key or value outside `ALLOWED`.
 */
export function parsePaxRecords(data: Buffer): Map<string, string> | { code: string; message: string } {
  const out = new Map<string, string>();
  const bad = (message: string) => ({ code: "TAR_BAD_PAX", message });
  let p = 0;
  while (p < data.length) {
    const space = data.indexOf(0x20, p);
    if (space < 0 || space - p > 20) return bad(`malformed PAX record at byte ${p}: no length`);
    const lenText = data.toString("latin1", p, space);
    if (!/^[1-9]\d*$/.test(lenText)) return bad(`malformed PAX record at byte ${p}: length ${JSON.stringify(lenText)} is not a number`);
    const len = Number(lenText);
    if (p + len > data.length) return bad(`PAX record at byte ${p} declares ${len} bytes but the header has ${data.length - p}`);
    if (data[p + len - 1] !== 0x0a) return bad(`PAX record at byte ${p} does not end with a newline where its length says`);
    const record = data.subarray(space + 1, p + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq <= 0) return bad(`PAX record at byte ${p} has no key=value`);
    const key = record.toString("latin1", 0, eq);
    if (!Object.hasOwn(ALLOWED, key)) return { code: "TAR_PAX_KEY", message: refusedKey(key) };
    if (record.includes(0)) return { code: "TAR_PAX_NUL", message: `PAX ${key} at byte ${p} contains a NUL byte (C readers cut the value there)` };
    let value: string;
    try {
      value = utf8.decode(record.subarray(eq + 1));
    } catch {
      return bad(`PAX ${key} at byte ${p} is not valid UTF-8`);
    }
    if (out.has(key)) return bad(`PAX key ${JSON.stringify(key)} appears twice in one header (readers keep different copies)`);
    if (value === "") return bad(`PAX key ${JSON.stringify(key)} has an empty value (a POSIX "delete" that readers apply differently)`);
    const shape = ALLOWED[key];
    if (shape && !shape.test(value)) return bad(`PAX ${key} ${JSON.stringify(value)} is not a plain decimal number`);
    out.set(key, value);
    p += len;
  }
  return out;
}
