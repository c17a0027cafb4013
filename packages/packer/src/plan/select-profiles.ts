import type { Arch, Os, Platform } from "@baiengine/schema";
import {
  type AcceleratorProfile,
  type EngineProfile,
  findAcceleratorProfile,
  findEngineProfile,
  findToolchain,
  listAcceleratorProfiles,
  listEngineProfiles,
  type ToolchainProfile,
} from "@baiengine/profiles";
import { NeedsNativeRunnerError, UnknownProfileError } from "../errors.js";

/** The engine profile with this id; UnknownProfileError (exit 2) naming the known ids otherwise. */
export function getEngineProfile(id: string): EngineProfile {
  const found = findEngineProfile(id);
  if (found) return found;
  const known = listEngineProfiles().map((e) => e.id);
  throw new UnknownProfileError(`unknown engine ${JSON.stringify(id)}`, `pass --engine with one of: ${known.join(", ")}`);
}

/** The accelerator profile for a target; UnknownProfileError (exit 2) listing the tokens known for that platform otherwise. */
export function getAcceleratorProfile(os: Os, arch: Arch, token: string): AcceleratorProfile {
  const found = findAcceleratorProfile(os, arch, token);
  if (found) return found;
  const known = listAcceleratorProfiles().filter((p) => p.os === os && p.arch === arch).map((p) => p.token);
  throw new UnknownProfileError(
    `no accelerator profile ${JSON.stringify(token)} for ${os}-${arch}`,
    known.length > 0 ? `pass --accel with one of: ${known.join(", ")}` : `no accelerator is planned for ${os}-${arch}`,
  );
}

/**
 * The toolchain that builds `target` on `host`. A target of another OS without a cross profile
 * (macOS from Linux) needs a runner of its own: NeedsNativeRunnerError (exit 1).
 */
export function selectToolchain(host: Platform, target: Platform): ToolchainProfile {
  const found = findToolchain(host, target);
  if (found) return found;
  throw new NeedsNativeRunnerError(
    `${target.os}-${target.arch} cannot be built on this ${host.os}-${host.arch} machine: there is no cross toolchain for it`,
    `run pack-engine on a ${target.os}-${target.arch} runner${target.os === "macos" ? " (macOS with Xcode)" : ""}, or use --dry-run to see the plan`,
  );
}
