import { readFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Metadata, type Root, Snapshot, Targets, Timestamp } from "@tufjs/models";
import { SigningRefusedError } from "../errors.js";
import { parseIndexText } from "../index-file/read-index.js";
import { type ExpiryChoice, expiresAt, expirySeconds } from "./expiry.js";
import { fileTarget, indexedTargets } from "./index-targets.js";
import { type CurrentMetadata, type MetadataFile, metaFileOf, readCurrentMetadata, SPEC_VERSION, TIMESTAMP_FILE, versionedFile, writeMetadataFile } from "./metadata-dir.js";
import { authorizedKeys, type KeySource, loadRoleKeys, type RoleName, type SigningKey, signerFor } from "./role-keys.js";

export interface SignOptions {
  /** engines.json; `packages.json` beside it is signed too when present. */
  registryFile: string;
  metadataDir: string;
  keys: KeySource;
  expiry?: ExpiryChoice;
  now?: Date;
}

export interface SignResult {
  /** Files written, in the order written (targets, snapshot, timestamp last). */
  written: string[];
  targets: { version: number; files: number; expires: string };
  snapshot: { version: number; expires: string };
  timestamp: { version: number; expires: string };
}

/** The keys of a role that root.json accepts, at least its threshold (refused before anything is written). */
export async function roleSigners(root: Metadata<Root>, role: RoleName, source: KeySource): Promise<SigningKey[]> {
  return authorizedKeys(root, role, await loadRoleKeys(role, source));
}

/** Signs with every given key and writes the file atomically. */
export async function signAndWrite<T extends Targets | Snapshot | Timestamp | Root>(dir: string, name: string, signed: T, keys: SigningKey[]): Promise<MetadataFile<T>> {
  const metadata = new Metadata(signed);
  for (const key of keys) metadata.sign(signerFor(key));
  return writeMetadataFile(dir, name, metadata);
}

async function indexFileTargets(registryFile: string) {
  const bytes = await readFile(registryFile).catch((error: NodeJS.ErrnoException) => {
    throw new SigningRefusedError(`${registryFile} cannot be read (${error.code})`, "pass --registry <engines.json>", "targets");
  });
  const { registry } = parseIndexText(registryFile, bytes.toString("utf8"));
  const targets = [fileTarget(basename(registryFile), bytes), ...indexedTargets(registry)];
  const live = join(dirname(registryFile), "packages.json");
  const liveBytes = basename(registryFile) === "packages.json" ? null : await readFile(live).catch(() => null);
  if (liveBytes) targets.push(fileTarget("packages.json", liveBytes));
  return targets;
}

/**
 * `sign`: a new targets version listing the index files and every package and runtime pack of the
 * index (see index-targets.ts), then a new snapshot naming it, then a new timestamp naming that,
 * each one version up and written atomically in that order, so a reader never sees a timestamp
 * that names a snapshot (or a snapshot that names targets) not yet written. All keys are loaded and
 * checked against root.json first: a refusal writes nothing.
 */
export async function signRegistry(options: SignOptions): Promise<SignResult> {
  const now = options.now ?? new Date();
  const current = await readCurrentMetadata(options.metadataDir);
  const keys = {
    targets: await roleSigners(current.root.metadata, "targets", options.keys),
    snapshot: await roleSigners(current.root.metadata, "snapshot", options.keys),
    timestamp: await roleSigners(current.root.metadata, "timestamp", options.keys),
  };
  const files = await indexFileTargets(options.registryFile);
  const targetsVersion = (current.targets?.metadata.signed.version ?? 0) + 1;
  const targets = new Targets({ version: targetsVersion, specVersion: SPEC_VERSION, expires: expiresAt(now, expirySeconds("targets", options.expiry)) });
  for (const t of files) targets.addTarget(t);
  const targetsFile = await signAndWrite(options.metadataDir, versionedFile("targets", targetsVersion), targets, keys.targets);
  const rest = await writeSnapshotAndTimestamp(options.metadataDir, current, targetsFile, { snapshot: keys.snapshot, timestamp: keys.timestamp }, now, options.expiry);
  return {
    written: [targetsFile.name, ...rest.written],
    targets: { version: targetsVersion, files: files.length, expires: targets.expires },
    snapshot: rest.snapshot,
    timestamp: rest.timestamp,
  };
}

/** A new snapshot naming `targetsFile`, then a new timestamp naming it. */
export async function writeSnapshotAndTimestamp(
  dir: string,
  current: CurrentMetadata,
  targetsFile: MetadataFile<Targets>,
  keys: { snapshot: SigningKey[]; timestamp: SigningKey[] },
  now: Date,
  expiry: ExpiryChoice | undefined,
): Promise<Omit<SignResult, "targets">> {
  const snapshotVersion = (current.snapshot?.metadata.signed.version ?? 0) + 1;
  const snapshot = new Snapshot({ version: snapshotVersion, specVersion: SPEC_VERSION, expires: expiresAt(now, expirySeconds("snapshot", expiry)), meta: { "targets.json": metaFileOf(targetsFile) } });
  const snapshotFile = await signAndWrite(dir, versionedFile("snapshot", snapshotVersion), snapshot, keys.snapshot);
  const timestamp = await writeTimestamp(dir, current, snapshotFile, keys.timestamp, now, expiry);
  return { written: [snapshotFile.name, TIMESTAMP_FILE], snapshot: { version: snapshotVersion, expires: snapshot.expires }, timestamp };
}

/** A new timestamp (one version up) naming `snapshotFile` by version, length and sha256. */
export async function writeTimestamp(dir: string, current: CurrentMetadata, snapshotFile: MetadataFile<Snapshot>, keys: SigningKey[], now: Date, expiry: ExpiryChoice | undefined) {
  const version = (current.timestamp?.metadata.signed.version ?? 0) + 1;
  const timestamp = new Timestamp({ version, specVersion: SPEC_VERSION, expires: expiresAt(now, expirySeconds("timestamp", expiry)), snapshotMeta: metaFileOf(snapshotFile) });
  await signAndWrite(dir, TIMESTAMP_FILE, timestamp, keys);
  return { version, expires: timestamp.expires };
}
