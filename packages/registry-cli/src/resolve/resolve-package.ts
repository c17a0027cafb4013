import { type PackageEntry, type Registry, packageUrl, runtimePackageUrl } from "@baiengine/schema";
import { InstallRefusedError, NoPackageFitsError } from "../errors.js";
import { type Choice, choosePackage, choosePackageFor, type PlatformRequest } from "./choose-package.js";
import type { HostFacts } from "./host-facts.js";

export interface Resolution {
  engineId: string;
  version: string;
  channel: "stable" | "prerelease";
  entry: PackageEntry;
  url: string;
  reasons: string[];
  /** The runtime pack the package needs (the index's `runtimes[]`, same platform), which install puts in first. */
  runtime?: { id: string; version: string; filename: string; url: string; size: number; sha256: string };
}

/**
 * The package of an engine for a platform (explicit request) or a host (detected facts), and its
 * download URL `{baseUrl}/{tag}/{filename}` (`options.baseUrl`: a mirror, http(s) or file://). Throws InstallRefusedError when none fits.
 */
export function resolvePackage(
  registry: Registry,
  engineId: string,
  target: { request: PlatformRequest } | { host: HostFacts },
  options: { prerelease?: boolean; baseUrl?: string } = {},
): Resolution {
  const engine = registry.engines.find((e) => e.id === engineId);
  if (!engine) {
    throw new InstallRefusedError(`engine ${engineId} is not in the registry`, `known engines: ${registry.engines.map((e) => e.id).join(", ") || "none"}`);
  }
  const channel = options.prerelease ? "prerelease" : "stable";
  if (channel === "prerelease" && !engine.prerelease) {
    throw new InstallRefusedError(`engine ${engineId} has no pre-release`, "drop --prerelease to use the stable version");
  }
  const version = channel === "prerelease" ? engine.prerelease!.version : engine.latestVersion;
  const packages = channel === "prerelease" ? engine.prerelease!.packages : engine.packages;
  const choice: Choice = "request" in target ? choosePackageFor(packages, target.request) : choosePackage(packages, target.host);
  const reasons = "host" in target ? [...target.host.notes.map((n) => `host: ${n}`), ...choice.reasons] : choice.reasons;
  if (!choice.chosen) {
    // Asked for a platform explicitly: the fix is another one of those listed, not the same flags again.
    const hint = "request" in target ? "ask for one of the platforms the index has (the line lists them)" : "pass --os, --arch and --accel to pick one explicitly";
    throw new NoPackageFitsError(`no package of ${engineId} ${version} fits: ${reasons.join("; ")}`, hint, reasons);
  }
  const base = { baseUrl: options.baseUrl ?? registry.baseUrl };
  const runtime = indexedRuntime(registry, choice.chosen, base);
  return { engineId, version, channel, entry: choice.chosen, url: packageUrl(base, engineId, choice.chosen), reasons, ...(runtime ? { runtime } : {}) };
}

/** The index's pack of the runtime a package entry names, for the entry's platform; null when it names none or the index lacks it. */
function indexedRuntime(registry: Registry, entry: PackageEntry, base: { baseUrl: string }): Resolution["runtime"] | null {
  if (entry.runtime === undefined) return null;
  const runtime = (registry.runtimes ?? []).find((r) => r.id === entry.runtime);
  const pack = runtime?.packages.find((p) => p.os === entry.os && p.arch === entry.arch);
  if (!runtime || !pack) return null;
  return { id: runtime.id, version: runtime.latestVersion, filename: pack.filename, url: runtimePackageUrl(base, runtime.id, pack), size: pack.size, sha256: pack.sha256 };
}
