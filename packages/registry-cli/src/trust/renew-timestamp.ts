import { Snapshot } from "@tufjs/models";
import { SigningRefusedError } from "../errors.js";
import { type ExpiryChoice, expiresAt, expirySeconds } from "./expiry.js";
import { readCurrentMetadata, SPEC_VERSION, versionedFile } from "./metadata-dir.js";
import { authorizedKeys, type KeySource, loadRoleKeys } from "./role-keys.js";
import { roleSigners, signAndWrite, writeTimestamp } from "./sign-registry.js";

export interface RenewOptions {
  metadataDir: string;
  keys: KeySource;
  expiry?: ExpiryChoice;
  now?: Date;
  /** Re-sign the snapshot too when it expires sooner than this, seconds (default three days), given its key. */
  renewSnapshotWithin?: number;
}

export interface RenewResult {
  timestamp: { version: number; expires: string };
  /** The snapshot re-signed (same targets, one version up), or null when it had time left or no snapshot key was given. */
  snapshot: { version: number; expires: string } | null;
  /** Set when the snapshot expires soon and no snapshot key was given: it says when. */
  warning: string | null;
  written: string[];
}

const RENEW_SNAPSHOT_WITHIN = 3 * 86_400;

/**
 * `trust timestamp`: a new timestamp (one version up, fresh expiry) naming the current snapshot,
 * for the scheduled workflow, so the short timestamp expiry never freezes a healthy registry. When
 * the snapshot itself expires within `renewSnapshotWithin` and its key is given, the snapshot is
 * re-signed first (same targets, one version up); without its key that is a warning, not a refusal.
 */
export async function renewTimestamp(options: RenewOptions): Promise<RenewResult> {
  const now = options.now ?? new Date();
  const current = await readCurrentMetadata(options.metadataDir);
  if (!current.timestamp || !current.snapshot) throw new SigningRefusedError(`${options.metadataDir} has no timestamp.json yet`, "run `engine-registry sign` once first", "timestamp");
  const timestampKeys = await roleSigners(current.root.metadata, "timestamp", options.keys);
  const snapshotExpires = new Date(current.snapshot.metadata.signed.expires);
  const soon = snapshotExpires.getTime() - now.getTime() < (options.renewSnapshotWithin ?? RENEW_SNAPSHOT_WITHIN) * 1000;
  let snapshotFile = current.snapshot;
  let renewed: RenewResult["snapshot"] = null;
  let warning: string | null = null;
  if (soon) {
    const given = await loadRoleKeys("snapshot", options.keys);
    const snapshotKeys = given.length === 0 ? null : authorizedKeys(current.root.metadata, "snapshot", given);
    if (snapshotKeys === null) {
      warning = `the snapshot (version ${current.snapshot.metadata.signed.version}) expires ${snapshotExpires.toISOString()}: pass its key to \`trust timestamp\` or run \`sign\` before then`;
    } else {
      const version = current.snapshot.metadata.signed.version + 1;
      const snapshot = new Snapshot({ version, specVersion: SPEC_VERSION, expires: expiresAt(now, expirySeconds("snapshot", options.expiry)), meta: current.snapshot.metadata.signed.meta });
      snapshotFile = await signAndWrite(options.metadataDir, versionedFile("snapshot", version), snapshot, snapshotKeys);
      renewed = { version, expires: snapshot.expires };
    }
  }
  const timestamp = await writeTimestamp(options.metadataDir, current, snapshotFile, timestampKeys, now, options.expiry);
  return { timestamp, snapshot: renewed, warning, written: [...(renewed ? [snapshotFile.name] : []), "timestamp.json"] };
}
