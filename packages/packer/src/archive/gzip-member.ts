/** Gzip member framing (RFC 1952) with nothing that varies between runs or hosts. */

/** OS byte of the header: always "Unix", whatever host wrote the archive. */
export const GZIP_OS_UNIX = 3;

/** The 10-byte header: no FNAME/FCOMMENT/FEXTRA, MTIME 0, XFL from the level, fixed OS. */
export function gzipHeader(level: number): Buffer {
  const header = Buffer.alloc(10);
  header[0] = 0x1f;
  header[1] = 0x8b;
  header[2] = 8; // deflate
  header[3] = 0; // no flags: no name, no comment, no extra field
  header.writeUInt32LE(0, 4); // MTIME 0: no timestamp
  header[8] = level >= 9 ? 2 : level === 1 ? 4 : 0;
  header[9] = GZIP_OS_UNIX;
  return header;
}

/** The 8-byte trailer: CRC32 and length (mod 2^32) of the uncompressed data. */
export function gzipTrailer(crc32: number, uncompressedSize: number): Buffer {
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32 >>> 0, 0);
  trailer.writeUInt32LE(uncompressedSize % 2 ** 32, 4);
  return trailer;
}
