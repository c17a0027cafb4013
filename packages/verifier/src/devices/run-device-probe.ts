import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { Accelerator } from "@baiengine/schema";
import { type DeviceProbe, devicesOfKind, type ListedDevice, parseDeviceListing } from "./device-listing.js";

export interface DeviceProbeRun {
  /** `hello-server --list-devices`: what ran, for messages. */
  command: string;
  /** Every device listed; null when the output had no device list. */
  devices: ListedDevice[] | null;
  /** The listed devices of the package's accelerator family. */
  matching: ListedDevice[];
  /** The exit code, or null when the process was killed (timeout) or could not start. */
  exitCode: number | null;
  /** stdout then stderr, the last 4000 characters. */
  output: string;
}

function run(file: string, args: string[], cwd: string, timeoutMs: number): Promise<{ stdout: string; stderr: string; code: number | null }> {
  // An empty environment (Windows keeps SystemRoot, without which its loader cannot start a process).
  const env: Record<string, string> = process.platform === "win32" && process.env["SystemRoot"] ? { SystemRoot: process.env["SystemRoot"] } : {};
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env, timeout: timeoutMs, maxBuffer: 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
      resolve({ stdout: String(stdout), stderr: String(stderr), code });
    });
  });
}

/**
 * Runs an installed server's device listing as the app starts it: an empty environment (no
 * LD_LIBRARY_PATH, PATH or CUDA_PATH) from a fresh working directory elsewhere, so only the
 * package's own folders and the system's can supply libraries. Never throws for the server's
 * failures: a crash or a timeout is an empty listing with its output.
 */
export async function runDeviceProbe(server: string, probe: DeviceProbe, accelerator: Accelerator, options: { timeoutMs?: number } = {}): Promise<DeviceProbeRun> {
  const cwd = await mkdtemp(join(tmpdir(), "baiengine-probe-"));
  try {
    const r = await run(server, probe.args, cwd, options.timeoutMs ?? 60_000);
    const devices = parseDeviceListing(r.stdout);
    return {
      command: [basename(server), ...probe.args].join(" "),
      devices,
      matching: devices === null ? [] : devicesOfKind(devices, probe, accelerator),
      exitCode: r.code,
      output: `${r.stdout}${r.stderr}`.slice(-4000),
    };
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}
