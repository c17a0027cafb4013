import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { chmod, open, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { canonicalize } from "@tufjs/canonical-json";
import { Key, type Metadata, type Root, Signature } from "@tufjs/models";
import { SigningRefusedError } from "../errors.js";

/**
 * The keys of the four top-level TUF roles (spec 1.0 §2.1): Ed25519 from `node:crypto`, private
 * keys as PKCS#8 PEM files of mode 0600, public keys in root.json as the spec's `ed25519` key type
 * (`keyval.public`: the raw 32 bytes in hex), key ids the sha256 of the key's canonical JSON (§4.2).
 * Private keys are never printed: only key ids and file names or variable names are.
 */
export const ROLES = ["root", "targets", "snapshot", "timestamp"] as const;
export type RoleName = (typeof ROLES)[number];

export const isRoleName = (value: string): value is RoleName => (ROLES as readonly string[]).includes(value);

/** A private key and where it came from, with the role its file or variable name claims. */
export interface SigningKey {
  keyId: string;
  key: Key;
  privateKey: KeyObject;
  /** The role the key was given for: its file name's prefix (`targets-1a2b3c4d.pem`) or its variable's name. */
  role: RoleName;
  /** `file <path>` or `$<VARIABLE>`, for messages. */
  origin: string;
}

/** The environment variable holding a role's private key(s) (one or more PEM blocks): CI secrets. */
export const keyVariable = (role: RoleName) => `BAIENGINE_TUF_${role.toUpperCase()}_KEY`;

/** The TUF public key of an Ed25519 private key, with its key id. */
export function publicKeyOf(privateKey: KeyObject): Key {
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error(`not an Ed25519 key (${privateKey.asymmetricKeyType})`);
  const jwk = privateKey.export({ format: "jwk" });
  const publicHex = Buffer.from(String(jwk.x), "base64url").toString("hex");
  const fields = { keytype: "ed25519", scheme: "ed25519", keyval: { public: publicHex } };
  const keyID = createHash("sha256").update(canonicalize(fields)).digest("hex");
  return new Key({ keyID, keyType: "ed25519", scheme: "ed25519", keyVal: { public: publicHex } });
}

/** A fresh Ed25519 key for a role. */
export function generateRoleKey(role: RoleName): { signing: SigningKey; pem: string } {
  const { privateKey } = generateKeyPairSync("ed25519");
  const key = publicKeyOf(privateKey);
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return { signing: { keyId: key.keyID, key, privateKey, role, origin: "(new)" }, pem };
}

/** `<role>-<first 8 hex of the key id>.pem`. */
export const keyFileName = (role: RoleName, keyId: string) => `${role}-${keyId.slice(0, 8)}.pem`;

/**
 * Writes a private key file that did not exist, mode 0600 whatever the umask (`wx`: never over
 * another key, never through a link someone left there).
 */
export async function writePrivateKey(file: string, pem: string): Promise<void> {
  const handle = await open(file, "wx", 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(pem);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(file, 0o600);
}

function parsePem(text: string, origin: string, role: RoleName): SigningKey[] {
  const blocks = text.match(/-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/g) ?? [];
  if (blocks.length === 0) throw new SigningRefusedError(`${origin} holds no PKCS#8 PEM private key`, "keys are the PEM files `trust init` writes (-----BEGIN PRIVATE KEY-----)", role);
  return blocks.map((pem) => {
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(pem);
    } catch (error) {
      throw new SigningRefusedError(`${origin} is not a readable private key (${(error as NodeJS.ErrnoException).code ?? "parse error"})`, "pass the PEM file `trust init` wrote", role);
    }
    if (privateKey.asymmetricKeyType !== "ed25519") throw new SigningRefusedError(`${origin} is a ${privateKey.asymmetricKeyType} key, not Ed25519`, "TUF keys here are Ed25519 (`trust init` makes them)", role);
    const key = publicKeyOf(privateKey);
    return { keyId: key.keyID, key, privateKey, role, origin };
  });
}

/** Where signing keys come from: a folder of `<role>-*.pem` files, and/or `BAIENGINE_TUF_<ROLE>_KEY` variables. */
export interface KeySource {
  keysDir?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * The private keys given for `role`: its variable when set (CI), else the folder's `<role>-*.pem`
 * files (retired keys live in `retired/` and are not read). Unchecked: `authorizedKeys` checks them
 * against root.json.
 */
export async function loadRoleKeys(role: RoleName, source: KeySource): Promise<SigningKey[]> {
  const variable = keyVariable(role);
  const fromEnv = source.env?.[variable];
  if (fromEnv !== undefined && fromEnv.trim() !== "") return parsePem(fromEnv, `$${variable}`, role);
  if (source.keysDir === undefined) return [];
  const names = await readdir(source.keysDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") throw new SigningRefusedError(`keys folder ${source.keysDir} does not exist`, "pass the --keys-dir `trust init` wrote, or set the BAIENGINE_TUF_<ROLE>_KEY variables", role);
    throw error;
  });
  const files = names.filter((n) => n.startsWith(`${role}-`) && n.endsWith(".pem")).sort();
  const keys: SigningKey[] = [];
  for (const name of files) keys.push(...parsePem(await readFile(join(source.keysDir, name), "utf8"), `file ${join(source.keysDir, name)}`, role));
  return keys;
}

/** The roles root.json gives a key id (none: an empty list). */
export function rolesOfKey(root: Root, keyId: string): RoleName[] {
  return ROLES.filter((r) => root.roles[r]?.keyIDs.includes(keyId));
}

/**
 * The keys that may sign `role` under `root`, at least its threshold of them. Refuses (naming the
 * key's origin and the role root.json gives it) any key given for `role` that root.json does not
 * list for it: a timestamp key offered as the targets key is a mistake or an attack, never used.
 */
export function authorizedKeys(root: Metadata<Root>, role: RoleName, keys: SigningKey[]): SigningKey[] {
  const roleEntry = root.signed.roles[role];
  if (!roleEntry) throw new SigningRefusedError(`root.json has no ${role} role`, "recreate the metadata with `trust init`", role);
  for (const k of keys) {
    if (roleEntry.keyIDs.includes(k.keyId)) continue;
    const holds = rolesOfKey(root.signed, k.keyId);
    throw new SigningRefusedError(
      `the key given for ${role} (${k.origin}, key id ${k.keyId.slice(0, 16)}…) is not a ${role} key in root.json version ${root.signed.version}${holds.length > 0 ? ` (it is a ${holds.join("/")} key)` : " (no role lists it)"}`,
      `pass the ${role} key (a ${role}-*.pem file or $${keyVariable(role)}); nothing was signed`,
      role,
    );
  }
  const distinct = [...new Map(keys.map((k) => [k.keyId, k])).values()];
  if (distinct.length < roleEntry.threshold) {
    throw new SigningRefusedError(
      `${role} needs ${roleEntry.threshold} signature(s), ${distinct.length} ${role} key(s) given`,
      `pass --keys-dir with the ${role}-*.pem files, or set $${keyVariable(role)}; nothing was signed`,
      role,
    );
  }
  return distinct;
}

/** The signer `Metadata.sign` calls with the canonical bytes of `signed`: Ed25519 over them (RFC 8032; `crypto.sign` with a null digest). */
export function signerFor(key: SigningKey): (data: Buffer) => Signature {
  return (data) => new Signature({ keyID: key.keyId, sig: sign(null, data, key.privateKey).toString("hex") });
}
