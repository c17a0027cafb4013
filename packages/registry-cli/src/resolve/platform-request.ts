import { platformFlags, UsageError } from "@baiengine/cli-kit";
import { requireHostPlatform } from "@baiengine/cli-kit/system";
import type { Arch, Os } from "@baiengine/schema";
import { detectHostFacts, type HostFacts } from "./host-facts.js";

/** What a command asks the index for, besides the engine: the platform flags, the version line and the mirror. */
export interface PackageAsk {
  os?: string;
  arch?: string;
  accel?: string;
  /** The engine's pre-release instead of its stable version. */
  prerelease?: boolean;
  /** A release channel of the index's history (default stable). */
  channel?: string;
  /** Download from this mirror instead of the index's baseUrl. */
  baseUrl?: URL | string;
}

/** What to resolve for: this host's detected facts, or a platform (and accelerator) asked for by flags. */
export type PlatformTarget = { host: HostFacts } | { request: { os: Os; arch: Arch; accel?: string } };

/**
 * The target of `--os`/`--arch`/`--accel`: none of them detects this host; `--accel` alone means that
 * accelerator for this host's os and arch. Throws UsageError for one of `--os`/`--arch` alone or an
 * unknown value.
 */
export async function platformTarget(opts: { os?: string; arch?: string; accel?: string }): Promise<PlatformTarget> {
  if (opts.os === undefined && opts.arch === undefined) {
    if (opts.accel === undefined) return { host: await detectHostFacts() };
    const host = requireHostPlatform("pass --os and --arch with --accel");
    return { request: { os: host.os, arch: host.arch, accel: opts.accel } };
  }
  if (opts.os === undefined || opts.arch === undefined) throw new UsageError("--os and --arch go together", "pass both, or neither to detect this host");
  const { os, arch } = platformFlags(opts) as { os: Os; arch: Arch };
  return { request: { os, arch, ...(opts.accel !== undefined ? { accel: opts.accel } : {}) } };
}
