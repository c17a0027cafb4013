import { createHash } from "node:crypto";
import type { TargetFile } from "@tufjs/models";
import { packageTargetPath } from "../trust/index-targets.js";
import type { TrustedTargets } from "./refresh-metadata.js";
import { trustRefusal } from "./refusal.js";

async function signed(trusted: TrustedTargets, path: string): Promise<TargetFile & { sha256: string }> {
  const target = await trusted.target(path);
  const sha256 = target?.hashes["sha256"];
  if (!target || sha256 === undefined) {
    throw trustRefusal("targets", "not-signed", `${path} is not among the signed targets (targets version ${trusted.versions.targets})${target ? " with a sha256" : ""}`);
  }
  return Object.assign(target, { sha256 });
}

/**
 * Checks the index file's bytes (engines.json or packages.json, as fetched) against its signed
 * target before anything reads them: the same length and sha256, else TrustRefusedError.
 */
export async function checkSignedIndex(trusted: TrustedTargets, path: string, bytes: Buffer): Promise<void> {
  const target = await signed(trusted, path);
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (bytes.length !== target.length || actual !== target.sha256) {
    throw trustRefusal("targets", "hash-or-length", `${path} has ${bytes.length} bytes, sha256 ${actual}; the registry signed ${target.length} bytes, sha256 ${target.sha256}`);
  }
}

/**
 * The signed length and sha256 of a package or runtime pack the index lists (target path
 * `{tag}/{filename}`), which the install's single pass over the download then enforces. Refuses a
 * file that is not signed, or whose index entry disagrees with its signed target.
 */
export async function signedDownload(trusted: TrustedTargets, filename: string, entry: { size: number; sha256: string }): Promise<{ size: number; sha256: string }> {
  const path = packageTargetPath(filename);
  const target = await signed(trusted, path);
  if (target.length !== entry.size || target.sha256 !== entry.sha256) {
    throw trustRefusal("targets", "hash-or-length", `${path}: the index lists ${entry.size} bytes, sha256 ${entry.sha256}; the registry signed ${target.length} bytes, sha256 ${target.sha256}`);
  }
  return { size: target.length, sha256: target.sha256 };
}
