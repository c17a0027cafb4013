import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hostPlatform, which } from "@baiengine/cli-kit/system";
import type { HttpSmoke, Smoke } from "@baiengine/profiles";
import type { Manifest, Platform, Reporter } from "@baiengine/schema";
import { runHttpSmoke } from "./engine-run/http-smoke.js";
import { NATIVE_RUNNER, QEMU_AARCH64_RUNNER, type Runner, WINE_RUNNER } from "./engine-run/runner.js";
import { runEngine } from "./engine-run/start-engine.js";
import { extractPackage } from "./extract.js";
import { errorFinding, type Finding } from "./findings.js";
import type { Limits } from "./limits.js";
import type { SmokeResult } from "./report.js";
import { type SmokeDeviceOptions, smokeDevices } from "./smoke-devices.js";

export type { SmokeResult } from "./report.js";

/** The smoke of an engine whose profile is not passed in: `--version`, exit 0 within 60 s. */
export const DEFAULT_SMOKE: Smoke = { kind: "exit-code", args: ["--version"], outputPattern: "[Vv]ersion", timeoutSeconds: 60 };

export interface SmokeOptions extends SmokeDeviceOptions {
  emulate?: boolean;
  limits?: Partial<Limits>;
  reporter?: Reporter;
  /** Engine id → its profile's smoke (`@baiengine/profiles` data, passed in by the CLI); DEFAULT_SMOKE for the others. */
  smokes?: Readonly<Record<string, Smoke>>;
  /** Overrides the exit-code smoke's time limit, in seconds. */
  timeoutSeconds?: number;
}

/**
 * How this host can run a package's binary, or why it cannot (pure: unit-testable). `host` is null
 * on a machine that is not a platform of the registry: no package runs there.
 */
export function planSmoke(manifest: Pick<Manifest, "os" | "arch">, emulate: boolean, host: Platform | null = hostPlatform(), has = (command: string) => which(command) !== null): Runner | string {
  if (host === null) return `this host (${process.platform}/${process.arch}) is not a platform of the registry: no package runs here`;
  if (manifest.os === host.os && manifest.arch === host.arch) return NATIVE_RUNNER;
  const foreign = `a ${manifest.os}-${manifest.arch} package cannot run on this ${host.os}-${host.arch} host`;
  if (!emulate) return `${foreign} (pass --emulate to use qemu or wine)`;
  if (host.os === "linux" && manifest.os === "linux" && manifest.arch === "aarch64") {
    return has(QEMU_AARCH64_RUNNER.command) ? QEMU_AARCH64_RUNNER : `${foreign} and qemu-aarch64 is not installed`;
  }
  if (host.os === "linux" && host.arch === "x86_64" && manifest.os === "windows" && manifest.arch === "x86_64") {
    return has(WINE_RUNNER.command) ? WINE_RUNNER : `${foreign} and wine is not installed`;
  }
  return `${foreign} and no emulator for it is supported`;
}

type Ran = { result: SmokeResult; findings: Finding[] };

/** The `exit-code` kind: the server run with the smoke's args must exit 0 in time (startEngine's environment). */
async function exitCodeSmoke(plan: Runner, binary: string, smoke: Extract<Smoke, { kind: "exit-code" }>, manifest: Manifest, temp: string, options: SmokeOptions): Promise<Ran> {
  const path = `package/${manifest.serverBinary}`;
  const what = `${manifest.serverBinary} ${smoke.args.join(" ")}`;
  const cwd = join(temp, "cwd");
  await mkdir(cwd);
  options.reporter?.step?.("smoke", `${plan.name}: ${what}`);
  const timeout = (options.timeoutSeconds ?? smoke.timeoutSeconds) * 1000;
  const run = await runEngine(plan, binary, smoke.args, { cwd, temp, timeoutMs: timeout });
  const output = run.output.slice(-4000);
  const result: SmokeResult = { ran: true, output, durationMs: run.durationMs, runner: plan.name };
  if (run.timedOut) {
    if (plan.judgeByOutput && new RegExp(smoke.outputPattern).test(output)) {
      result.note = `${plan.name}: printed the expected output but did not exit within ${timeout / 1000}s; judged by its output`;
      return { result, findings: [] };
    }
    return { result, findings: [errorFinding("SMOKE_TIMEOUT", `${what} did not finish within ${timeout / 1000}s`, path)] };
  }
  if (run.exit.code !== 0) {
    const why = run.failure ?? `exit code ${run.exit.code}`;
    return { result, findings: [errorFinding("SMOKE_FAILED", `${what} failed (${why}): ${lastLine(output)}`, path)] };
  }
  return { result, findings: [] };
}

/** The `http` kind (runHttpSmoke), as a smoke result: the answer on success, the log's tail on failure. */
async function httpSmoke(plan: Runner, binary: string, smoke: HttpSmoke, manifest: Manifest, temp: string, options: SmokeOptions): Promise<Ran> {
  const path = `package/${manifest.serverBinary}`;
  options.reporter?.step?.("smoke", `${plan.name}: ${manifest.serverBinary} on 127.0.0.1, ${smoke.request.method} ${smoke.request.path}`);
  const outcome = await runHttpSmoke(plan, binary, smoke, temp);
  const result: SmokeResult = { ran: true, output: outcome.answer ?? outcome.log, durationMs: outcome.durationMs, runner: plan.name };
  if (outcome.problem === null) return { result, findings: [] };
  const code = outcome.timedOut ? "SMOKE_TIMEOUT" : "SMOKE_FAILED";
  const tail = outcome.log.trim().split("\n").slice(-10).join("\n");
  return { result: { ...result, output: outcome.log }, findings: [errorFinding(code, `${manifest.serverBinary}: ${outcome.problem}; last lines of its log:\n${tail}`, path)] };
}

/**
 * §8: extract into a fresh temporary folder (safely, with the verifier's own extractor), run the
 * engine's smoke (its profile's kind: an exit code, or an HTTP round trip with a generated model)
 * through startEngine from another working directory with an empty environment; then, for a GPU
 * package on a host with a device of its kind, the engine's device probe (smokeDevices:
 * `result.devices`, `SMOKE_NO_DEVICE`); then remove everything.
 */
export async function runSmoke(file: string, manifest: Manifest, options: SmokeOptions = {}): Promise<Ran> {
  const plan = planSmoke(manifest, options.emulate ?? false);
  if (typeof plan === "string") return { result: { ran: false, skippedReason: plan }, findings: [] };
  const temp = await mkdtemp(join(tmpdir(), "baiengine-smoke-"));
  const path = `package/${manifest.serverBinary}`;
  try {
    await extractPackage(file, join(temp, "root"), { ...(options.limits ? { limits: options.limits } : {}), ...(options.reporter ? { reporter: options.reporter } : {}) });
    const binary = join(temp, "root", path);
    const smoke = options.smokes?.[manifest.engineId] ?? DEFAULT_SMOKE;
    const ran = smoke.kind === "http" ? await httpSmoke(plan, binary, smoke, manifest, temp, options) : await exitCodeSmoke(plan, binary, smoke, manifest, temp, options);
    if (ran.findings.length > 0) return ran;
    const devices = await smokeDevices(join(temp, "root", "package"), manifest, plan.name, options);
    ran.result.devices = devices.devices;
    return { result: ran.result, findings: devices.findings };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { result: { ran: false, skippedReason: `could not prepare the smoke run: ${message}` }, findings: [errorFinding("SMOKE_FAILED", message, path)] };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split("\n");
  return lines[lines.length - 1] ?? "";
}
