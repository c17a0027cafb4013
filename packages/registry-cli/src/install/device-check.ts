import { join } from "node:path";
import { hostPlatform } from "@baiengine/cli-kit/system";
import { findEngineProfile } from "@baiengine/profiles";
import type { Manifest, Platform } from "@baiengine/schema";
import { explainMissingDevice, formatListedDevice, runDeviceProbe } from "@baiengine/verifier";
import { InstallRefusedError } from "../errors.js";

/** What the device probe found: the first listed device of the package's kind, or why the probe did not run. */
export type DeviceCheck = { ran: true; device: string } | { ran: false; reason: string };

/**
 * The device probe of an extracted GPU package, before it is renamed into place: the engine
 * profile's device listing (llama-server --list-devices), run with an empty environment from
 * another folder. A package whose accelerator shows no device is refused with one line naming the
 * missing library or device. Not run for cpu packages, packages of another platform, or engines
 * without a probe in their profile (the reason says which).
 */
export async function checkDevices(packageDir: string, manifest: Manifest, host: Platform | null = hostPlatform()): Promise<DeviceCheck> {
  if (manifest.accelerator === "cpu") return { ran: false, reason: "a cpu package: no device to probe" };
  if (host === null || host.os !== manifest.os || host.arch !== manifest.arch) {
    return { ran: false, reason: `a ${manifest.os}-${manifest.arch} package cannot run on this host` };
  }
  const probe = findEngineProfile(manifest.engineId)?.deviceProbe ?? null;
  if (probe === null) return { ran: false, reason: `no device probe is known for engine ${manifest.engineId}` };
  const run = await runDeviceProbe(join(packageDir, manifest.serverBinary), probe, manifest.accelerator);
  const found = run.matching[0];
  if (found) return { ran: true, device: formatListedDevice(found) };
  throw new InstallRefusedError(
    await explainMissingDevice(packageDir, manifest.os, manifest.accelerator, run),
    "nothing was installed; install the package's GPU runtime (or a cpu package: --accel cpu)",
  );
}
