import { stat } from "node:fs/promises";
import type { InstallTarget, SignedFile } from "../install/install-target.js";
import { packageTargetPath } from "../trust/index-targets.js";
import type { TrustedTargets } from "./refresh-metadata.js";
import { trustRefusal } from "./refusal.js";
import { signedDownload } from "./signed-files.js";

/**
 * An install plan's source bound to the registry's signed target: a download takes the signed
 * length and sha256 (refused when not signed, or when the index disagrees with them), a local file
 * (import) must have the signed length and is hashed against the signed sha256 in the extraction's
 * one pass. The plan's runtime, when it has one, is bound too. Throws TrustRefusedError.
 */
export async function bindToSignedTargets<T extends InstallTarget & { runtime?: InstallTarget | null }>(plan: T, trusted: TrustedTargets): Promise<T> {
  const source = plan.source;
  const path = packageTargetPath(plan.filename);
  let bound: InstallTarget["source"];
  if (source.kind === "download") {
    const signed = await signedDownload(trusted, plan.filename, source);
    bound = { ...source, ...signed, signed: { path, ...signed } };
  } else {
    const target = await trusted.target(path);
    const sha256 = target?.hashes["sha256"];
    if (!target || sha256 === undefined) throw trustRefusal("targets", "not-signed", `${path} is not among the signed targets (targets version ${trusted.versions.targets})`);
    const { size } = await stat(source.path);
    const signed: SignedFile = { path, size: target.length, sha256 };
    if (size !== target.length) throw trustRefusal("targets", "hash-or-length", `${path}: ${source.path} has ${size} bytes (signed: ${target.length} bytes, sha256 ${sha256})`);
    bound = { ...source, signed };
  }
  const runtime = plan.runtime ? await bindToSignedTargets(plan.runtime, trusted) : plan.runtime;
  return { ...plan, source: bound, ...(plan.runtime !== undefined ? { runtime } : {}) };
}
