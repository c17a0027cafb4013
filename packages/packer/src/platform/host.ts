import { type Arch, archFromNode, type Os, osFromNode } from "@baiengine/schema";
import { UnsupportedTargetError } from "../errors.js";

/** The registry's os/arch names for the machine this runs on. */
export function hostPlatform(platform: string = process.platform, machine: string = process.arch): { os: Os; arch: Arch } {
  const os = osFromNode(platform);
  const arch = archFromNode(machine);
  if (os === null || arch === null) {
    throw new UnsupportedTargetError(`this machine (${platform}/${machine}) is not a platform of the registry`, "pass --os and --arch with --dry-run to plan for a supported one");
  }
  return { os, arch };
}
