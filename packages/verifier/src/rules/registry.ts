import { type Manifest, type PackageEntry, type Registry, acceleratorToken } from "@baiengine/schema";
import { errorFinding, type Finding } from "../findings.js";

/** §7: the file's size and sha256 equal its engines.json entry, and the entry agrees with the manifest. */
export function checkRegistry(registry: Registry, filename: string, actual: { size: number; sha256: string }, manifest: Manifest | null): Finding[] {
  const hits: { engineId: string; version: string; entry: PackageEntry }[] = [];
  for (const engine of registry.engines) {
    for (const entry of engine.packages) if (entry.filename === filename) hits.push({ engineId: engine.id, version: engine.latestVersion, entry });
    for (const entry of engine.prerelease?.packages ?? []) {
      if (entry.filename === filename) hits.push({ engineId: engine.id, version: engine.prerelease!.version, entry });
    }
  }
  if (hits.length === 0) return [errorFinding("REGISTRY_NOT_LISTED", `engines.json has no package entry with filename ${JSON.stringify(filename)}`)];
  const findings: Finding[] = [];
  for (const { engineId, version, entry } of hits) {
    if (entry.size !== actual.size) findings.push(errorFinding("REGISTRY_SIZE_MISMATCH", `engines.json says ${entry.size} bytes, the file has ${actual.size}`));
    if (entry.sha256.toLowerCase() !== actual.sha256) {
      findings.push(errorFinding("REGISTRY_SHA256_MISMATCH", `engines.json says sha256 ${entry.sha256}, the file's is ${actual.sha256}`));
    }
    if (!manifest) continue;
    const pairs: [string, unknown, unknown][] = [
      ["engine id", engineId, manifest.engineId],
      ["version", version, manifest.version],
      ["os", entry.os, manifest.os],
      ["arch", entry.arch, manifest.arch],
      ["accelerator", entry.accelerator, manifest.accelerator],
      ["acceleratorVersion", tokenOf(entry), tokenOf(manifest)],
      ["variant", entry.variant ?? null, manifest.variant ?? null],
    ];
    for (const [field, listed, inManifest] of pairs) {
      if (listed !== inManifest) {
        findings.push(
          errorFinding("REGISTRY_FIELD_MISMATCH", `${field} is ${JSON.stringify(listed)} in engines.json but ${JSON.stringify(inManifest)} in the manifest`),
        );
      }
    }
  }
  return findings;
}

function tokenOf(p: { accelerator: PackageEntry["accelerator"]; acceleratorVersion: string | null }): string {
  try {
    return acceleratorToken(p.accelerator, p.acceleratorVersion);
  } catch {
    return `${p.accelerator}:${p.acceleratorVersion}`;
  }
}
