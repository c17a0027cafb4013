import { readFileSync } from "node:fs";
import { compareDottedVersions } from "@baiengine/schema";
import { BinaryScanner, type BinaryInfo, readBinaryFile, readBinaryInfo } from "../../src/binary/index.js";

/** Streams bytes through a BinaryScanner in chunks of `chunk` bytes. */
export function scan(bytes: Uint8Array, chunk = 64 * 1024, headBytes?: number): BinaryInfo | null {
  const scanner = new BinaryScanner(headBytes === undefined ? {} : { headBytes });
  for (let at = 0; at < bytes.length; at += chunk) scanner.push(bytes.subarray(at, at + chunk));
  return scanner.finish();
}

/** All three entry points must agree on a file; returns their common answer. */
export async function readAllWays(file: string): Promise<BinaryInfo | null> {
  const bytes = new Uint8Array(readFileSync(file));
  const inMemory = readBinaryInfo(bytes);
  const fromDisk = await readBinaryFile(file);
  const streamed = scan(bytes, 4096, 512 * 1024);
  const streamedBig = scan(bytes, 1 << 20);
  if (JSON.stringify(fromDisk) !== JSON.stringify(inMemory)) throw new Error(`readBinaryFile disagrees on ${file}`);
  if (JSON.stringify(streamed) !== JSON.stringify(inMemory)) throw new Error(`BinaryScanner (4 KiB chunks) disagrees on ${file}`);
  if (JSON.stringify(streamedBig) !== JSON.stringify(inMemory)) throw new Error(`BinaryScanner (1 MiB chunks) disagrees on ${file}`);
  return inMemory;
}

/** Highest version per family among names like GLIBC_2.34, as the readers report them. */
export function highestVersions(names: string[]): Record<string, string> {
  const best: Record<string, string> = {};
  for (const name of names) {
    const m = /^(GLIBC|GLIBCXX|CXXABI)_(\d+(?:\.\d+)*)$/.exec(name);
    if (!m) continue;
    const [, family, version] = m as unknown as [string, string, string];
    if (best[family] === undefined || compareDottedVersions(version, best[family]) > 0) best[family] = version;
  }
  return best;
}
