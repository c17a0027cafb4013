import type { Arch, Os } from "@baiengine/schema";
import { UnknownProfileError } from "../errors.js";
import { requireHostPlatform } from "@baiengine/cli-kit/system";
import { listRuntimeProfiles, type RuntimeTarget, runtimeForToken } from "@baiengine/profiles";
import type { RuntimePackOptions } from "./runtime-types.js";

/** The target platform (default: this machine) and the runtime profile of the token on it; UnknownProfileError otherwise. */
export function resolveRuntimeTarget(options: RuntimePackOptions): RuntimeTarget & { os: Os; arch: Arch } {
  const host = options.os === undefined || options.arch === undefined ? requireHostPlatform("pass --os and --arch to pack a runtime for a supported platform") : null;
  const os = options.os ?? host!.os;
  const arch = options.arch ?? host!.arch;
  const found = runtimeForToken(options.accel, os, options.engine);
  if (!found) {
    const known = listRuntimeProfiles()
      .filter((p) => p.engine === undefined && p.platforms.some((q) => q.os === os))
      .map((p) => `${p.accelerator}${p.major}`);
    throw new UnknownProfileError(
      `no runtime profile for --accel ${options.accel} on ${os}`,
      `tokens with a runtime on ${os}: ${known.join(", ") || "none"} (cpu, metal and vulkan packages need no runtime pack)`,
    );
  }
  if (!found.platform.arches.includes(arch)) {
    throw new UnknownProfileError(`${found.profile.id} has no ${os}-${arch} pack`, `its ${os} arches: ${found.platform.arches.join(", ")}`);
  }
  return { ...found, os, arch };
}
