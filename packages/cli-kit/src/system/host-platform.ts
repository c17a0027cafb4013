import { archFromNode, osFromNode, type Platform } from "@baiengine/schema";
import { UsageError } from "../errors.js";

/** This machine is not one the registry has packages for (FreeBSD, 32-bit, …). */
export class UnsupportedHostError extends UsageError {}

/**
 * The registry's os/arch names for the machine this runs on (`linux`/`x86_64`), or null when it is
 * not a platform of the registry. `platform` and `machine` are Node's `process.platform` and `process.arch`.
 */
export function hostPlatform(platform: string = process.platform, machine: string = process.arch): Platform | null {
  const os = osFromNode(platform);
  const arch = archFromNode(machine);
  return os === null || arch === null ? null : { os, arch };
}

/** `hostPlatform()` for commands that cannot go on without one: throws UnsupportedHostError (exit 2) with `hint`. */
export function requireHostPlatform(hint: string, platform: string = process.platform, machine: string = process.arch): Platform {
  const host = hostPlatform(platform, machine);
  if (host === null) throw new UnsupportedHostError(`this machine (${platform}/${machine}) is not a platform of the registry`, hint);
  return host;
}
