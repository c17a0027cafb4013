import type { Manifest } from "@baiengine/schema";
import { checkPackageDevices, type DeviceCheck } from "./devices/check-package-devices.js";
import type { DeviceProbe } from "./devices/device-listing.js";
import { detectHostDevices, type HostDevices, hostHasDevice } from "./devices/host-devices.js";
import { errorFinding, type Finding } from "./findings.js";

export interface SmokeDeviceOptions {
  /** Engine id → its profile's device probe (`@baiengine/profiles` data, passed in by the CLI); an engine without one is skipped with the reason. */
  deviceProbes?: Readonly<Record<string, DeviceProbe>>;
  /** This machine's GPUs; default: detectHostDevices() (nvidia-smi -L, rocminfo, vulkaninfo --summary). */
  hostDevices?: HostDevices;
}

/**
 * The device probe of a smoke run, on the package extracted at `packageDir`: the same listing
 * install runs (checkPackageDevices), but only where this host has a (hardware) device of the
 * package's kind; elsewhere it is skipped with the reason (`no CUDA device`), never reported as
 * passed. A probe that runs and lists no device of the kind is the error `SMOKE_NO_DEVICE`, naming
 * the library the package links but does not carry. Runs only natively (not under qemu or wine).
 */
export async function smokeDevices(packageDir: string, manifest: Manifest, runner: string, options: SmokeDeviceOptions): Promise<{ devices: DeviceCheck; findings: Finding[] }> {
  const skip = (reason: string) => ({ devices: { ran: false, reason } as const, findings: [] });
  if (manifest.accelerator === "cpu") return skip("a cpu package: no device to probe");
  if (runner !== "native") return skip(`run through ${runner}: the device probe runs only natively`);
  const probe = options.deviceProbes?.[manifest.engineId] ?? null;
  if (probe === null) return skip(`no device probe is known for engine ${manifest.engineId}`);
  const host = hostHasDevice(options.hostDevices ?? (await detectHostDevices()), manifest.accelerator);
  if (!host.has) return skip(host.why);
  const devices = await checkPackageDevices(packageDir, manifest, probe, { os: manifest.os, arch: manifest.arch });
  if (devices.ran && devices.device === null) {
    return { devices, findings: [errorFinding("SMOKE_NO_DEVICE", `${devices.missing} (this host has ${host.why})`, `package/${manifest.serverBinary}`)] };
  }
  return { devices, findings: [] };
}
