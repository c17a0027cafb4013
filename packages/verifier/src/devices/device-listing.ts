import type { DeviceProbe, ListDevicesProbe } from "@baiengine/profiles";
import type { Accelerator } from "@baiengine/schema";

/** How an engine shows its devices (engine profile data, `@baiengine/profiles`' DeviceProbe). */
export type { DeviceProbe, ListDevicesProbe, LogLinesProbe } from "@baiengine/profiles";

/**
 * One device the probe found: `CUDA0: NVIDIA H200 (143771 MiB, 143130 MiB free)`. Memory in MiB,
 * null where the engine does not print it (a tab-separated listing, a log line).
 */
export interface ListedDevice {
  name: string;
  description: string;
  totalMiB: number | null;
  freeMiB: number | null;
}

const DEVICE_LINE = /^\s+(\S+): (.*) \((\d+) MiB, (\d+) MiB free\)\s*$/;

/**
 * The devices of a `--list-devices` output in ggml's format, or null when the output has no
 * `Available devices:` header (an engine that does not know the flag). Log lines before the header
 * (ggml's `load_backend: ...` on stderr) are ignored; `(none)` gives [].
 */
export function parseDeviceListing(output: string): ListedDevice[] | null {
  const lines = output.replace(/\r\n/g, "\n").split("\n");
  const start = lines.findIndex((l) => l.trim() === "Available devices:");
  if (start < 0) return null;
  const devices: ListedDevice[] = [];
  for (const line of lines.slice(start + 1)) {
    const m = DEVICE_LINE.exec(line);
    if (m) devices.push({ name: m[1]!, description: m[2]!, totalMiB: Number(m[3]), freeMiB: Number(m[4]) });
  }
  return devices;
}

/**
 * The devices of a `NAME\tDESCRIPTION` listing (stable-diffusion.cpp's `--list-devices`), one per
 * line; null when no line has that shape (an engine that does not know the flag).
 */
export function parseTabListing(output: string): ListedDevice[] | null {
  const devices = output
    .replace(/\r\n/g, "\n")
    .split("\n")
    .flatMap((line) => {
      const m = /^([^\t\s][^\t]*)\t(.*)$/.exec(line);
      return m ? [{ name: m[1]!.trim(), description: m[2]!.trim(), totalMiB: null, freeMiB: null }] : [];
    });
  return devices.length > 0 ? devices : null;
}

/** A listing's devices by the probe's format. */
export function parseListing(output: string, format: ListDevicesProbe["format"]): ListedDevice[] | null {
  return format === "ggml-list-devices" ? parseDeviceListing(output) : parseTabListing(output);
}

/**
 * The devices a server logged while ggml loaded its backends: each line matching one of the
 * probe's patterns is a device of that family, named `<FAMILY><n>` in the order logged
 * (`cuda0: Device 0: NVIDIA H100 80GB HBM3, compute capability 9.0, VMM: yes`).
 */
export function parseDeviceLogLines(output: string, patterns: DeviceProbe["devices"]): ListedDevice[] {
  const devices: ListedDevice[] = [];
  const seen: Record<string, number> = {};
  for (const line of output.replace(/\r\n/g, "\n").split("\n")) {
    for (const [family, pattern] of Object.entries(patterns)) {
      if (!new RegExp(pattern).test(line)) continue;
      const n = seen[family] ?? 0;
      seen[family] = n + 1;
      devices.push({ name: `${family}${n}`, description: line.trim(), totalMiB: null, freeMiB: null });
      break;
    }
  }
  return devices;
}

/** The listed devices of one accelerator family, by the probe's name pattern ([] when the probe has no pattern for it). */
export function devicesOfKind(devices: readonly ListedDevice[], probe: DeviceProbe, accelerator: Accelerator): ListedDevice[] {
  if (probe.kind === "log-lines") return devices.filter((d) => d.name.replace(/\d+$/, "") === accelerator);
  const pattern = probe.devices[accelerator];
  if (pattern === undefined) return [];
  const re = new RegExp(pattern);
  return devices.filter((d) => re.test(d.name));
}

/** `CUDA0: NVIDIA H200 (143771 MiB, 143130 MiB free)`: a device as llama-server prints it (memory where known). */
export function formatListedDevice(d: ListedDevice): string {
  return d.totalMiB === null ? `${d.name}: ${d.description}` : `${d.name}: ${d.description} (${d.totalMiB} MiB, ${d.freeMiB} MiB free)`;
}
