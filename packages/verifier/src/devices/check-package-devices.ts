import { join } from "node:path";
import type { Manifest, Platform } from "@baiengine/schema";
import { type DeviceProbe, formatListedDevice } from "./device-listing.js";
import { explainMissingDevice } from "./explain-missing-device.js";
import { type ProbeFailure, runDeviceProbe } from "./run-device-probe.js";

/**
 * What the device probe of an extracted package found: the first listed device of its accelerator
 * family (`CUDA0: NVIDIA H200 (143771 MiB, 143130 MiB free)`); or, when it listed none, `missing`:
 * one line naming the library the package links but does not carry, else the device; or why it did
 * not run.
 */
export type DeviceCheck =
  | { ran: true; device: string }
  /** `failure`: the server could not start, timed out or was killed (DeviceProbeRun.failure), so it never listed devices. */
  | { ran: true; device: null; missing: string; failure?: ProbeFailure }
  | { ran: false; reason: string };

/**
 * Runs the engine's device listing (its profile's `deviceProbe`, passed in as data) on a package
 * extracted at `packageDir` (the folder holding manifest.json), with an empty environment from
 * another folder. Not run for cpu packages, packages of another platform than `host`, or engines
 * without a probe; the reason says which. Never throws for the server's failures.
 */
export async function checkPackageDevices(packageDir: string, manifest: Manifest, probe: DeviceProbe | null, host: Platform | null): Promise<DeviceCheck> {
  if (manifest.accelerator === "cpu") return { ran: false, reason: "a cpu package: no device to probe" };
  if (host === null || host.os !== manifest.os || host.arch !== manifest.arch) {
    return { ran: false, reason: `a ${manifest.os}-${manifest.arch} package cannot run on this host` };
  }
  if (probe === null) return { ran: false, reason: `no device probe is known for engine ${manifest.engineId}` };
  const run = await runDeviceProbe(join(packageDir, manifest.serverBinary), probe, manifest.accelerator);
  const found = run.matching[0];
  if (found) return { ran: true, device: formatListedDevice(found) };
  const missing = await explainMissingDevice(packageDir, manifest.os, manifest.accelerator, run);
  return run.failure === null ? { ran: true, device: null, missing } : { ran: true, device: null, missing, failure: run.failure };
}
