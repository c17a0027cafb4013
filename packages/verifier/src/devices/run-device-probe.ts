import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { Accelerator } from "@baiengine/schema";
import { NATIVE_RUNNER } from "../engine-run/runner.js";
import { serveEngine, waitForStatus } from "../engine-run/serve-engine.js";
import { type EngineExit, runEngine } from "../engine-run/start-engine.js";
import { type DeviceProbe, devicesOfKind, type ListDevicesProbe, type ListedDevice, type LogLinesProbe, parseDeviceLogLines, parseListing } from "./device-listing.js";

export interface DeviceProbeRun {
  /** `hello-server --list-devices`, `whisper-server -m <generated model> …`: what ran, for messages. */
  command: string;
  /** Every device listed (or logged); null when the output had no device list. */
  devices: ListedDevice[] | null;
  /** The listed devices of the package's accelerator family. */
  matching: ListedDevice[];
  /** The exit code, or null when the process was killed (timeout, or stopped once it was ready) or could not start. */
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

/** The structured failure of a run: it could not start, ran out of time, or was killed. */
function probeFailure(exit: EngineExit | null, timedOut: boolean, limit: string): ProbeFailure | null {
  if (exit?.startError) return { kind: "start", detail: exit.startError };
  if (timedOut) return { kind: "timeout", detail: limit };
  if (exit?.signal) return { kind: "signal", detail: exit.signal };
  return null;
}

async function listDevices(server: string, probe: ListDevicesProbe, accelerator: Accelerator, cwd: string, timeoutMs: number): Promise<DeviceProbeRun> {
  const r = await runEngine(NATIVE_RUNNER, server, probe.args, { cwd, temp: cwd, timeoutMs });
  const devices = parseListing(r.stdout, probe.format);
  return {
    command: [basename(server), ...probe.args].join(" "),
    devices,
    matching: devices === null ? [] : devicesOfKind(devices, probe, accelerator),
    exitCode: r.exit.code,
    failure: probeFailure(r.exit, r.timedOut, `${timeoutMs / 1000} s`),
    output: r.output.slice(-4000),
  };
}

/**
 * The `log-lines` kind: starts the server with its generated model on loopback and reads its log
 * until `readyPath` answers 200 (ggml has loaded its backends and the model by then), it exits, or
 * time runs out; then stops it. A server that got ready and was stopped did not fail.
 */
async function logDevices(server: string, probe: LogLinesProbe, accelerator: Accelerator, temp: string, timeoutMs: number): Promise<DeviceProbeRun> {
  const served = await serveEngine(NATIVE_RUNNER, server, probe, temp);
  let notReady: Awaited<ReturnType<typeof waitForStatus>>;
  try {
    notReady = await waitForStatus(served, probe.readyPath, 200, Date.now() + timeoutMs);
  } finally {
    await served.close();
  }
  const exit = served.engine.exit();
  const output = served.engine.output();
  const devices = parseDeviceLogLines(output, probe.devices);
  const failure = notReady === null ? null : probeFailure(exit, notReady.timedOut, `${timeoutMs / 1000} s`);
  return {
    command: `${basename(server)} ${probe.args.join(" ")}`,
    devices,
    matching: devicesOfKind(devices, probe, accelerator),
    exitCode: notReady === null ? null : (exit?.code ?? null),
    failure,
    output: output.slice(-4000),
  };
}

/**
 * Runs an installed server's device probe (its profile's `deviceProbe`: a listing, or the log of a
 * start with a generated model) as the app starts it: startEngine's empty environment, from a fresh
 * working directory elsewhere, so only the package's own folders and the system's can supply
 * libraries. Never throws for the server's failures: a crash or a timeout is an empty listing with its output.
 */
export async function runDeviceProbe(server: string, probe: DeviceProbe, accelerator: Accelerator, options: { timeoutMs?: number } = {}): Promise<DeviceProbeRun> {
  const cwd = await mkdtemp(join(tmpdir(), "baiengine-probe-"));
  try {
    if (probe.kind === "list-devices") return await listDevices(server, probe, accelerator, cwd, options.timeoutMs ?? 60_000);
    return await logDevices(server, probe, accelerator, cwd, options.timeoutMs ?? probe.timeoutSeconds * 1000);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}
