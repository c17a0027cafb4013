import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { renameWithRetry } from "@baiengine/cli-kit/system";
import type { Key, Root } from "@tufjs/models";
import { SigningRefusedError } from "../errors.js";
import { type ExpiryChoice, expiresAt, expirySeconds } from "./expiry.js";
import { readMetadataFile, rootFile } from "./metadata-dir.js";
import { buildRoot, roleKeysOf } from "./root-builder.js";
import { generateRoleKey, keyFileName, type KeySource, type RoleName, type SigningKey, writePrivateKey } from "./role-keys.js";
import { privateFolder } from "./trust-init.js";
import { roleSigners, signAndWrite } from "./sign-registry.js";

export interface RotateOptions {
  metadataDir: string;
  /** Where the new keys are written (mode 0600); the replaced keys of the role move to its `retired/` folder. */
  keysDir: string;
  /** The current root keys (their threshold signs the new root). */
  keys: KeySource;
  /** The role whose keys are replaced (default root). */
  role?: RoleName;
  /** For root: keys made and signatures needed (default: the current count and threshold). */
  rootKeys?: number;
  rootThreshold?: number;
  expiry?: ExpiryChoice;
  now?: Date;
}

export interface RotateResult {
  version: number;
  role: RoleName;
  /** Key ids added and removed for the role. */
  added: string[];
  removed: string[];
  written: string[];
  /** Key files moved to `<keys-dir>/retired/`. */
  retired: string[];
}

/** Root N+1: root N's keys and roles with `role`'s keys replaced by `fresh` (keys no role lists any more are dropped). */
function nextRoot(root: Root, role: RoleName, fresh: SigningKey[], threshold: number, expires: string): Root {
  const roles = roleKeysOf(root);
  roles[role] = { keyIds: fresh.map((k) => k.keyId), threshold };
  const keys: Record<string, Key> = { ...root.keys };
  for (const k of fresh) keys[k.keyId] = k.key;
  return buildRoot(root.version + 1, expires, keys, roles);
}

async function retireKeys(keysDir: string, role: RoleName, keyIds: string[]): Promise<string[]> {
  const names = (await readdir(keysDir).catch(() => [] as string[])).filter((n) => keyIds.some((id) => n === keyFileName(role, id)));
  if (names.length === 0) return [];
  await mkdir(join(keysDir, "retired"), { recursive: true, mode: 0o700 });
  for (const n of names) await renameWithRetry(join(keysDir, n), join(keysDir, "retired", n));
  return names;
}

/**
 * `trust rotate`: writes root N+1 (`N+1.root.json`, then `root.json`) in which `role` has fresh
 * keys, signed by a threshold of root N's keys and, for a root rotation, by the new root keys too
 * (TUF spec 1.0 §5.3.4: a client accepts N+1 only when both N's and N+1's root thresholds sign it).
 * The replaced keys' files move to `<keys-dir>/retired/`; root N+2 needs the new keys. After
 * rotating targets, snapshot or timestamp, run `sign` (or `trust timestamp`) so metadata signed by
 * the new key is published.
 */
export async function rotateKeys(options: RotateOptions): Promise<RotateResult> {
  const role = options.role ?? "root";
  const now = options.now ?? new Date();
  const current = await readMetadataFile(options.metadataDir, "root.json", "root");
  const signed = current.metadata.signed;
  const oldRootKeys = await roleSigners(current.metadata, "root", options.keys);
  const count = role === "root" ? (options.rootKeys ?? signed.roles["root"]!.keyIDs.length) : 1;
  const threshold = role === "root" ? (options.rootThreshold ?? signed.roles["root"]!.threshold) : signed.roles[role]!.threshold;
  if (threshold < 1 || threshold > count) throw new SigningRefusedError(`a ${role} threshold of ${threshold} cannot be met by ${count} key(s)`, "pass --root-threshold between 1 and --root-keys", role);
  const generated = Array.from({ length: count }, () => generateRoleKey(role));
  const fresh = generated.map((g) => g.signing);
  const next = nextRoot(signed, role, fresh, threshold, expiresAt(now, expirySeconds("root", options.expiry)));
  await privateFolder(options.keysDir);
  for (const g of generated) await writePrivateKey(join(options.keysDir, keyFileName(role, g.signing.keyId)), g.pem);
  const signers = role === "root" ? [...oldRootKeys, ...fresh] : oldRootKeys;
  const name = rootFile(next.version);
  await signAndWrite(options.metadataDir, name, next, signers);
  await signAndWrite(options.metadataDir, "root.json", next, signers);
  const removed = (signed.roles[role]?.keyIDs ?? []).filter((id) => !fresh.some((k) => k.keyId === id));
  const retired = await retireKeys(options.keysDir, role, removed);
  return { version: next.version, role, added: fresh.map((k) => k.keyId), removed, written: [name, "root.json"], retired };
}
