import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Metadata, MetadataKind, MetaFile, type Root, type Snapshot, type Targets, type Timestamp } from "@tufjs/models";
import { SigningRefusedError } from "../errors.js";
import { writeFileAtomic } from "../index-file/atomic-write.js";

/**
 * The registry's metadata folder, laid out for consistent snapshots (TUF spec 1.0 §5.4/§6.2):
 * `N.root.json` for every root version and `root.json` (the newest), `N.targets.json`,
 * `N.snapshot.json` and one `timestamp.json`. Old versions stay, so a client that read a timestamp
 * just before a release still finds the snapshot and targets it names.
 */
/** The TUF specification version the metadata is written for (the one @tufjs/models implements). */
export const SPEC_VERSION = "1.0.31";

export const rootFile = (version: number) => `${version}.root.json`;
export const versionedFile = (role: "snapshot" | "targets", version: number) => `${version}.${role}.json`;
export const TIMESTAMP_FILE = "timestamp.json";

type Kinds = { root: Root; timestamp: Timestamp; snapshot: Snapshot; targets: Targets };
const KIND = { root: MetadataKind.Root, timestamp: MetadataKind.Timestamp, snapshot: MetadataKind.Snapshot, targets: MetadataKind.Targets } as const;

/** A metadata file as written: its bytes (what lengths and hashes cover) and the parsed metadata. */
export interface MetadataFile<T extends Kinds[keyof Kinds]> {
  name: string;
  bytes: Buffer;
  metadata: Metadata<T>;
}

/** The file's text: JSON with two-space indents. Signatures cover the canonical form of `signed`, not these bytes. */
export function metadataText(metadata: Metadata<Kinds[keyof Kinds]>): string {
  return `${JSON.stringify(metadata.toJSON(), null, 2)}\n`;
}

/** Reads and parses `dir/name` as `role` metadata; throws SigningRefusedError when missing or malformed. */
export async function readMetadataFile<R extends keyof Kinds>(dir: string, name: string, role: R): Promise<MetadataFile<Kinds[R]>> {
  const bytes = await readFile(join(dir, name)).catch((error: NodeJS.ErrnoException) => {
    const reason = error.code === "ENOENT" ? "does not exist" : `cannot be read (${error.code})`;
    throw new SigningRefusedError(`${join(dir, name)} ${reason}`, role === "root" ? "run `engine-registry trust init` first" : "run `engine-registry sign` first", role);
  });
  try {
    const metadata = Metadata.fromJSON(KIND[role] as MetadataKind.Root, JSON.parse(bytes.toString("utf8"))) as unknown as Metadata<Kinds[R]>;
    return { name, bytes, metadata };
  } catch (error) {
    throw new SigningRefusedError(`${join(dir, name)} is not ${role} metadata (${(error as Error).message})`, "restore the metadata folder from the repository", role);
  }
}

/** Writes one metadata file atomically (same-folder temp file, fsync, rename) and returns its bytes. */
export async function writeMetadataFile<T extends Kinds[keyof Kinds]>(dir: string, name: string, metadata: Metadata<T>): Promise<MetadataFile<T>> {
  const text = metadataText(metadata);
  await writeFileAtomic(join(dir, name), text);
  return { name, bytes: Buffer.from(text), metadata };
}

/** What a referencing role records about a metadata file: its version, length and sha256 (§4.4, §4.6). */
export function metaFileOf(file: MetadataFile<Snapshot | Targets>): MetaFile {
  return new MetaFile({ version: file.metadata.signed.version, length: file.bytes.length, hashes: { sha256: createHash("sha256").update(file.bytes).digest("hex") } });
}

/** The current chain: newest root, timestamp, and the snapshot and targets the timestamp names (null before the first `sign`). */
export interface CurrentMetadata {
  root: MetadataFile<Root>;
  timestamp: MetadataFile<Timestamp> | null;
  snapshot: MetadataFile<Snapshot> | null;
  targets: MetadataFile<Targets> | null;
}

export async function readCurrentMetadata(dir: string): Promise<CurrentMetadata> {
  const root = await readMetadataFile(dir, "root.json", "root");
  const hasTimestamp = await readFile(join(dir, TIMESTAMP_FILE)).then(() => true, () => false);
  if (!hasTimestamp) return { root, timestamp: null, snapshot: null, targets: null };
  const timestamp = await readMetadataFile(dir, TIMESTAMP_FILE, "timestamp");
  const snapshot = await readMetadataFile(dir, versionedFile("snapshot", timestamp.metadata.signed.snapshotMeta.version), "snapshot");
  const targetsMeta = snapshot.metadata.signed.meta["targets.json"];
  if (!targetsMeta) throw new SigningRefusedError(`${snapshot.name} lists no targets.json`, "restore the metadata folder from the repository", "snapshot");
  const targets = await readMetadataFile(dir, versionedFile("targets", targetsMeta.version), "targets");
  return { root, timestamp, snapshot, targets };
}
