import { chmod, stat } from "node:fs/promises";
import { join } from "node:path";
import { makeFolders } from "@baiengine/cli-kit/system";
import { type Key, Metadata } from "@tufjs/models";
import { SigningRefusedError } from "../errors.js";
import { type ExpiryChoice, expiresAt, expirySeconds } from "./expiry.js";
import { rootFile, writeMetadataFile } from "./metadata-dir.js";
import { buildRoot, type RoleKeys } from "./root-builder.js";
import { generateRoleKey, keyFileName, ROLES, type RoleName, type SigningKey, signerFor, writePrivateKey } from "./role-keys.js";

export interface TrustInitOptions {
  metadataDir: string;
  keysDir: string;
  /** Root keys made (default 1) and signatures root needs (default 1; at most `rootKeys`). */
  rootKeys?: number;
  rootThreshold?: number;
  expiry?: ExpiryChoice;
  now?: Date;
}

export interface TrustInitResult {
  /** Metadata files written, relative to the metadata folder. */
  metadata: string[];
  /** Private key files written (mode 0600), relative to the keys folder. */
  keys: string[];
  /** Key ids per role, as root.json lists them. */
  keyIds: Record<RoleName, string[]>;
  rootExpires: string;
}

/** A folder only its owner can read: the keys folder (0700, whatever the umask). */
export async function privateFolder(dir: string): Promise<void> {
  await makeFolders(dir);
  await chmod(dir, 0o700);
}

/**
 * Makes a new trust root: one Ed25519 key for each of targets, snapshot and timestamp, `rootKeys`
 * root keys, and root.json version 1 (consistent snapshots on) signed by every root key, written as
 * `1.root.json` and `root.json`. Refuses when the metadata folder already has a root.json (rotate
 * instead) and before writing anything when the threshold cannot be met.
 */
export async function initTrust(options: TrustInitOptions): Promise<TrustInitResult> {
  const rootKeys = options.rootKeys ?? 1;
  const threshold = options.rootThreshold ?? 1;
  if (threshold < 1 || threshold > rootKeys) {
    throw new SigningRefusedError(`a root threshold of ${threshold} cannot be met by ${rootKeys} root key(s)`, "pass --root-threshold between 1 and --root-keys", "root");
  }
  if (await stat(join(options.metadataDir, "root.json")).then(() => true, () => false)) {
    throw new SigningRefusedError(`${join(options.metadataDir, "root.json")} already exists`, "a registry has one trust root: `trust rotate` replaces keys", "root");
  }
  const now = options.now ?? new Date();
  const generated: Record<RoleName, { signing: SigningKey; pem: string }[]> = {
    root: Array.from({ length: rootKeys }, () => generateRoleKey("root")),
    targets: [generateRoleKey("targets")],
    snapshot: [generateRoleKey("snapshot")],
    timestamp: [generateRoleKey("timestamp")],
  };
  await privateFolder(options.keysDir);
  const keyFiles: string[] = [];
  for (const role of ROLES) {
    for (const { signing, pem } of generated[role]) {
      const name = keyFileName(role, signing.keyId);
      await writePrivateKey(join(options.keysDir, name), pem);
      keyFiles.push(name);
    }
  }
  const keyIds = {} as Record<RoleName, string[]>;
  const roles = {} as Record<RoleName, RoleKeys>;
  const keys: Record<string, Key> = {};
  for (const role of ROLES) {
    keyIds[role] = generated[role].map((g) => g.signing.keyId);
    roles[role] = { keyIds: keyIds[role], threshold: role === "root" ? threshold : 1 };
    for (const g of generated[role]) keys[g.signing.keyId] = g.signing.key;
  }
  const root = buildRoot(1, expiresAt(now, expirySeconds("root", options.expiry)), keys, roles);
  const metadata = new Metadata(root);
  for (const g of generated.root) metadata.sign(signerFor(g.signing));
  await makeFolders(options.metadataDir);
  await writeMetadataFile(options.metadataDir, rootFile(1), metadata);
  await writeMetadataFile(options.metadataDir, "root.json", metadata);
  return { metadata: [rootFile(1), "root.json"], keys: keyFiles, keyIds, rootExpires: root.expires };
}
