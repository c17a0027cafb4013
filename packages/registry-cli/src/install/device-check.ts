import { hostPlatform } from "@baiengine/cli-kit/system";
import { findEngineProfile } from "@baiengine/profiles";
import type { Manifest, Platform } from "@baiengine/schema";
import { checkPackageDevices, type DeviceCheck } from "@baiengine/verifier";
import { DeviceProbeRefusedError } from "../errors.js";
import type { ProbeFailure } from "../verifier-port.js";

/** What the device probe found: the first listed device of the package's kind, or why the probe did not run. */
export type { DeviceCheck };

/** The fix for a probe that found no device: the runtime, unless the server never got to list devices. */
function probeHint(failure: ProbeFailure | undefined): string {
  if (failure === undefined) return "nothing was installed; install the package's GPU runtime (or a cpu package: --accel cpu)";
  if (failure.kind === "start") return "nothing was installed; use an engines folder (--engines-dir) on a file system that lets programs run";
  return "nothing was installed; the server failed before listing its devices: run it with --list-devices by hand to see why";
}

/**
 * The device probe of an extracted GPU package, before it is renamed into place: the engine
 * profile's device listing (llama-server --list-devices), run with an empty environment from
 * another folder (the verifier's checkPackageDevices). A package whose accelerator shows no device
 * is refused with one line naming the missing library or device. Not run for cpu packages, packages
 * of another platform, or engines without a probe in their profile (the reason says which).
 */
export async function checkDevices(packageDir: string, manifest: Manifest, host: Platform | null = hostPlatform()): Promise<DeviceCheck> {
  const check = await checkPackageDevices(packageDir, manifest, findEngineProfile(manifest.engineId)?.deviceProbe ?? null, host);
  if (check.ran && check.device === null) throw new DeviceProbeRefusedError(check.missing, probeHint(check.failure), check.failure ?? null);
  return check;
}
