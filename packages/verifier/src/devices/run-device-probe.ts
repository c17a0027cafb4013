import { type ExecFileException, execFile } from "node:child_process";
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
  /** Why the server did not run to its end, when it did not (a non-zero exit is not one: its output says more). */
  failure: ProbeFailure | null;
}

/**
 * A server that never got to list its devices: it could not `start` (`detail`: the errno code in
 * words, e.g. EACCES on a noexec mount), hit the `timeout` (`detail`: the limit), or was killed by a
 * `signal` (`detail`: its name).
 */
export interface ProbeFailure {
  kind: "start" | "timeout" | "signal";
  detail: string;
}

/** The failure as the words after the command, `could not start: ...`. */
export function describeProbeFailure(f: ProbeFailure): string {
  return f.kind === "start" ? `could not start: ${f.detail}` : f.kind === "timeout" ? `did not finish within ${f.detail}` : `was killed by ${f.detail}`;
}

/** Node's errno codes a failed start gives, in words; EACCES on an executable file is usually a noexec mount. */
const START_ERRORS: Record<string, string> = {
  EACCES: "permission denied (EACCES): is the folder on a file system mounted noexec, or the file not executable?",
  ENOENT: "no such file (ENOENT)",
  ENOEXEC: "not an executable for this machine (ENOEXEC)",
  EPERM: "operation not permitted (EPERM)",
};

function run(file: string, args: string[], cwd: string, timeoutMs: number): Promise<{ stdout: string; stderr: string; code: number | null; failure: ProbeFailure | null }> {
  // An empty environment (Windows keeps SystemRoot, without which its loader cannot start a process).
  const env: Record<string, string> = process.platform === "win32" && process.env["SystemRoot"] ? { SystemRoot: process.env["SystemRoot"] } : {};
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env, timeout: timeoutMs, maxBuffer: 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
      resolve({ stdout: String(stdout), stderr: String(stderr), code, failure: error === null ? null : failureOf(error, timeoutMs) });
    });
  });
}

function failureOf(error: ExecFileException, timeoutMs: number): ProbeFailure | null {
  if (typeof error.code === "string") return { kind: "start", detail: START_ERRORS[error.code] ?? error.code };
  if (error.killed) return { kind: "timeout", detail: `${timeoutMs / 1000} s` };
  if (error.signal) return { kind: "signal", detail: error.signal };
  return null; // a non-zero exit: its output says more
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
      failure: r.failure,
      output: `${r.stdout}${r.stderr}`.slice(-4000),
    };
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}
