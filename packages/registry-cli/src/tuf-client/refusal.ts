import type { Metadata, Root, Snapshot, Timestamp } from "@tufjs/models";
import { LengthOrHashMismatchError, UnsignedMetadataError } from "@tufjs/models/dist/error.js";
import { BadVersionError, ExpiredMetadataError } from "tuf-js/dist/error.js";
import { TrustRefusedError, type TrustReason } from "../errors.js";
import { describeAge } from "./describe-age.js";
import type { FetchFailure } from "./metadata-fetcher.js";

export type TopRole = "root" | "timestamp" | "snapshot" | "targets";

/** The trusted metadata of tuf-js's store at one moment (the fields the refusal reads). */
export interface StoreState {
  root: Metadata<Root>;
  timestamp?: Metadata<Timestamp>;
  snapshot?: Metadata<Snapshot>;
}

/** One failed update of tuf-js's trusted store: which role's bytes, the state before and after, the error. */
export interface StoreFailure {
  role: TopRole;
  bytes: Buffer;
  before: StoreState;
  after: StoreState;
  referenceTime: Date;
  error: unknown;
}

const HINTS: Record<TrustReason, string> = {
  rollback: "the server sent older metadata than this machine has already seen (a rollback, or a stale mirror); nothing was installed",
  expired: "the registry's metadata is stale (a frozen mirror, or its scheduled `trust timestamp` job stopped); engines already installed keep working; nothing new was installed",
  "mix-and-match": "the metadata files do not belong to one signing (mixed versions from a mirror); nothing was installed",
  signatures: "the metadata is not signed by the keys the trusted root lists; nothing was installed",
  "not-signed": "the registry did not sign this file (run `engine-registry sign` after `update`); nothing was installed",
  "hash-or-length": "the file differs from the one the registry signed (tampered, or re-uploaded under the same name); nothing was installed",
  "too-large": "the server sends more metadata than any real registry has (endless data); nothing was installed",
  missing: "trust is configured for this registry, so its metadata is required: publish it with `engine-registry sign`, or check the registry URL; nothing was installed",
  invalid: "the metadata file is not valid TUF metadata; nothing was installed",
  unreachable: "check the network (the metadata could not be fetched and no unexpired copy is cached); nothing was installed",
};

export function trustRefusal(role: string, reason: TrustReason, detail: string, expiredAt: string | null = null): TrustRefusedError {
  return new TrustRefusedError(role, reason, detail, HINTS[reason], expiredAt);
}

const roleOfFile = (file: string): TopRole => (["root", "timestamp", "snapshot", "targets"] as const).find((r) => file === `${r}.json` || file.endsWith(`.${r}.json`)) ?? "targets";

/** The refusal for a metadata file that could not be fetched. */
export function fetchRefusal(f: FetchFailure): TrustRefusedError {
  const role = roleOfFile(f.file);
  if (f.kind === "too-large") return trustRefusal(role, "too-large", `${f.file} is larger than its cap of ${f.value} bytes`);
  if (f.kind === "http" && (f.value === 404 || f.value === 403)) return trustRefusal(role, "missing", `${f.url} is not published (HTTP ${f.value})`);
  return trustRefusal(role, "unreachable", `${f.url}: ${f.error.message}`);
}

/** The fields of a metadata file the refusal quotes, read leniently (the file may be what failed to parse). */
function parsed(bytes: Buffer): { version?: number; expires?: string; snapshotVersion?: number } {
  try {
    const signed = JSON.parse(bytes.toString("utf8"))?.signed;
    return { version: signed?.version, expires: signed?.expires, snapshotVersion: signed?.meta?.["snapshot.json"]?.version };
  } catch {
    return {};
  }
}

/** Which role's metadata is expired, oldest dependency first (root, timestamp, snapshot), else the failing role's own. */
function expiredRefusal(f: StoreFailure): TrustRefusedError {
  const chain: [TopRole, { signed: { expires: string; isExpired(d: Date): boolean } } | undefined][] = [
    ["root", f.after.root],
    ["timestamp", f.after.timestamp],
    ["snapshot", f.after.snapshot],
  ];
  const found = chain.find(([, md]) => md?.signed.isExpired(f.referenceTime));
  const role = found ? found[0] : f.role;
  const expires = found ? found[1]!.signed.expires : (parsed(f.bytes).expires ?? "");
  const ago = describeAge(f.referenceTime.getTime() - new Date(expires).getTime());
  return trustRefusal(role, "expired", `${role}.json expired ${ago} ago (${expires})`, expires);
}

function versionRefusal(f: StoreFailure): TrustRefusedError {
  const got = parsed(f.bytes).version;
  switch (f.role) {
    case "root":
      return trustRefusal("root", "rollback", `the root chain's next file is version ${got}, not ${f.before.root.signed.version + 1}`);
    case "timestamp": {
      const trusted = f.before.timestamp?.signed;
      if (trusted && got !== undefined && got < trusted.version) return trustRefusal("timestamp", "rollback", `version ${got} is below the trusted version ${trusted.version}`);
      const named = parsed(f.bytes).snapshotVersion ?? "?";
      return trustRefusal("snapshot", "rollback", `the timestamp names snapshot version ${named}, below the trusted version ${trusted?.snapshotMeta.version}`);
    }
    case "snapshot":
      if (f.after.snapshot !== f.before.snapshot) return mixRefusal(f);
      return trustRefusal("targets", "rollback", `snapshot version ${got} names a targets version below the one already trusted`);
    case "targets":
      if (f.after.snapshot && f.after.timestamp && f.after.snapshot.signed.version !== f.after.timestamp.signed.snapshotMeta.version) return mixRefusal(f);
      return trustRefusal("targets", "mix-and-match", `targets version ${got} is not the version ${f.after.snapshot?.signed.meta["targets.json"]?.version} the snapshot names`);
  }
}

function mixRefusal(f: StoreFailure): TrustRefusedError {
  return trustRefusal("snapshot", "mix-and-match", `snapshot version ${f.after.snapshot?.signed.version} is not the version ${f.after.timestamp?.signed.snapshotMeta.version} the timestamp names`);
}

/**
 * The bytes differ from the length and sha256 the referring role lists. When they are another
 * version of the role's metadata than the one named, that is a mix-and-match; else tampering.
 */
function mismatchRefusal(f: StoreFailure): TrustRefusedError {
  const got = parsed(f.bytes).version;
  const named = f.role === "snapshot" ? f.after.timestamp?.signed.snapshotMeta.version : f.after.snapshot?.signed.meta["targets.json"]?.version;
  if (got !== undefined && named !== undefined && got !== named) return trustRefusal(f.role, "mix-and-match", `${f.role} version ${got} is not the version ${named} the ${f.role === "snapshot" ? "timestamp" : "snapshot"} names`);
  const by = f.role === "snapshot" ? "the timestamp" : "the snapshot";
  return trustRefusal(f.role, "hash-or-length", `${f.role}.json differs from the length and sha256 ${by} lists`);
}

/** The refusal for a failed store update, by tuf-js's error class and the store's state (never by message text). */
export function storeRefusal(f: StoreFailure): TrustRefusedError {
  const e = f.error;
  if (e instanceof ExpiredMetadataError) return expiredRefusal(f);
  if (e instanceof BadVersionError) return versionRefusal(f);
  if (e instanceof UnsignedMetadataError) {
    const threshold = f.before.root.signed.roles[f.role]?.threshold ?? "?";
    const which = f.role === "root" ? `root version ${parsed(f.bytes).version} is not signed by ${f.before.root.signed.roles["root"]?.threshold} of the trusted root's keys and its own` : `${f.role}.json is not signed by ${threshold} of its keys in root version ${f.before.root.signed.version}`;
    return trustRefusal(f.role, "signatures", which);
  }
  if (e instanceof LengthOrHashMismatchError) return mismatchRefusal(f);
  return trustRefusal(f.role, "invalid", `${f.role}.json: ${(e as Error).message}`);
}
