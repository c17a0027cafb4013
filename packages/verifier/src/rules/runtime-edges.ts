import { listRuntimeProfiles, runtimeProviding } from "@baiengine/profiles";
import { acceleratorToken, type Manifest, toolkitMajor } from "@baiengine/schema";
import { errorFinding, type Finding, warningFinding } from "../findings.js";

/** The runtime pack that provides a library on an OS, as the runtime profiles say (`libcudart.so.13` → cuda13-runtime). */
export interface RuntimeOwner {
  id: string;
  accelerator: string;
  major: number;
}
export interface RuntimeLookup {
  /** The runtime that provides `library` on `os`, or null. */
  providing(os: Manifest["os"], library: string): RuntimeOwner | null;
  /** The runtime with this id, or null when no profile has it. */
  byId(id: string): RuntimeOwner | null;
}

const owner = (p: { id: string; accelerator: string; major: number }): RuntimeOwner => ({ id: p.id, accelerator: p.accelerator, major: p.major });

/** The runtime profiles of @baiengine/profiles (data/runtimes.json) as a lookup. */
export const profileRuntimeLookup: RuntimeLookup = {
  providing: (os, library) => {
    const found = runtimeProviding(os, library);
    return found ? owner(found.profile) : null;
  },
  byId: (id) => {
    const found = listRuntimeProfiles().find((p) => p.id === id);
    return found ? owner(found) : null;
  },
};

/**
 * The dependency edge of an engine package: every GPU runtime library it links without bundling
 * must belong to the runtime its manifest names (`runtime.id`), and that runtime must be the
 * accelerator token's (`cuda12` with `libcudart.so.13` is a CUDA 13 build under a CUDA 12 name).
 * `runtimeLinks` come from checkLibraries; `lookup` from the runtime profiles.
 */
export function checkRuntimeEdges(manifest: Manifest, runtimeLinks: { name: string; by: string[] }[], lookup: RuntimeLookup): Finding[] {
  const findings: Finding[] = [];
  const token = acceleratorToken(manifest.accelerator, manifest.acceleratorVersion);
  const declared = manifest.runtime;
  const used = new Set<string>();
  for (const link of runtimeLinks) {
    const where = `package/${link.by[0]}`;
    const owner = lookup.providing(manifest.os, link.name);
    if (!owner) {
      findings.push(errorFinding("RUNTIME_NOT_COVERED", `${link.name} (needed by ${link.by.join(", ")}) is a GPU runtime library no runtime pack provides: bundle it in the package`, where));
      continue;
    }
    used.add(owner.id);
    const ownerToken = `${owner.accelerator}${owner.major}`;
    if (ownerToken !== token) {
      findings.push(errorFinding("RUNTIME_TOKEN_MISMATCH", `a ${token} package links ${link.name}, which is ${owner.accelerator} ${owner.major}'s (${owner.id}): rebuild with the ${token} toolkit or name the package ${ownerToken}`, where));
    }
    if (!declared) {
      findings.push(errorFinding("RUNTIME_UNDECLARED", `${link.name} (needed by ${link.by.join(", ")}) comes from ${owner.id}, but the manifest names no runtime: add "runtime": {"id": "${owner.id}", "minVersion": "${owner.major}.0"}`, where));
    } else if (declared.id !== owner.id) {
      findings.push(errorFinding("RUNTIME_MISMATCH", `${link.name} comes from ${owner.id}, but the manifest's runtime is ${declared.id}`, where));
    }
  }
  if (declared) findings.push(...checkDeclared(declared, used.has(declared.id), lookup));
  return dedupe(findings);
}

/** The manifest's own `runtime`: a known runtime, a minimum of its major, and used by some binary. */
function checkDeclared(declared: NonNullable<Manifest["runtime"]>, used: boolean, lookup: RuntimeLookup): Finding[] {
  const where = "package/manifest.json";
  const known = lookup.byId(declared.id);
  if (!known) return [errorFinding("RUNTIME_UNKNOWN", `the manifest names runtime ${declared.id}, which no runtime profile describes`, where)];
  const findings: Finding[] = [];
  if (toolkitMajor(declared.minVersion) !== known.major) {
    findings.push(errorFinding("RUNTIME_MISMATCH", `runtime ${declared.id} with minVersion ${declared.minVersion}: the minimum must be a ${known.major}.x version`, where));
  }
  if (!used) findings.push(warningFinding("RUNTIME_UNUSED", `the manifest names runtime ${declared.id}, but no binary links its libraries`, where));
  return findings;
}

/** One finding per code and message (many binaries link the same library). */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code} ${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
