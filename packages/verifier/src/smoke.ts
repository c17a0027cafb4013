import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hostPlatform, which } from "@baiengine/cli-kit/system";
import type { Manifest, Platform, Reporter } from "@baiengine/schema";
import { extractPackage } from "./extract.js";
import { errorFinding, type Finding } from "./findings.js";
import type { Limits } from "./limits.js";
import type { SmokeResult } from "./report.js";
import { type SmokeDeviceOptions, smokeDevices } from "./smoke-devices.js";

export type { SmokeResult } from "./report.js";

export interface SmokeOptions extends SmokeDeviceOptions {
  emulate?: boolean;
  limits?: Partial<Limits>;
  reporter?: Reporter;
  /** Seconds the server binary gets to print its version (default 60: wine sets up a prefix first). */
  timeoutSeconds?: number;
}

interface Runner {
  name: string;
  command: string;
  args: (binary: string) => string[];
  env: (temp: string) => Record<string, string>;
  /** wine: llama-server may print its version and not exit, so a timeout with a version line passes. */
  judgeByOutput: boolean;
}

/**
 * How this host can run a package's binary, or why it cannot (pure: unit-testable). `host` is null
 * on a machine that is not a platform of the registry: no package runs there.
 */
export function planSmoke(manifest: Pick<Manifest, "os" | "arch">, emulate: boolean, host: Platform | null = hostPlatform(), has = (command: string) => which(command) !== null): Runner | string {
  if (host === null) return `this host (${process.platform}/${process.arch}) is not a platform of the registry: no package runs here`;
  if (manifest.os === host.os && manifest.arch === host.arch) {
    return { name: "native", command: "", args: (b) => [b], env: () => ({}), judgeByOutput: false };
  }
  const foreign = `a ${manifest.os}-${manifest.arch} package cannot run on this ${host.os}-${host.arch} host`;
  if (!emulate) return `${foreign} (pass --emulate to use qemu or wine)`;
  if (host.os === "linux" && manifest.os === "linux" && manifest.arch === "aarch64") {
    if (!has("qemu-aarch64")) return `${foreign} and qemu-aarch64 is not installed`;
    const sysroot = "/usr/aarch64-linux-gnu";
    return {
      name: "qemu-aarch64",
      command: "qemu-aarch64",
      args: (b) => ["-L", sysroot, b],
      env: () => ({}),
      judgeByOutput: false,
    };
  }
  if (host.os === "linux" && host.arch === "x86_64" && manifest.os === "windows" && manifest.arch === "x86_64") {
    if (!has("wine")) return `${foreign} and wine is not installed`;
    return {
      name: "wine",
      command: "wine",
      args: (b) => [b],
      env: (temp) => ({ WINEPREFIX: join(temp, "wineprefix"), WINEDEBUG: "-all", WINEDLLOVERRIDES: "mscoree,mshtml=" }),
      judgeByOutput: true,
    };
  }
  return `${foreign} and no emulator for it is supported`;
}

/**
 * §8: extract into a fresh temporary folder (safely, with the verifier's own extractor), run
 * `<serverBinary> --version` from another working directory with a clean environment, require
 * exit 0 in time; then, for a GPU package on a host with a device of its kind, the engine's device
 * probe (smokeDevices: `result.devices`, `SMOKE_NO_DEVICE`); then remove everything.
 */
export async function runSmoke(file: string, manifest: Manifest, options: SmokeOptions = {}): Promise<{ result: SmokeResult; findings: Finding[] }> {
  const plan = planSmoke(manifest, options.emulate ?? false);
  if (typeof plan === "string") return { result: { ran: false, skippedReason: plan }, findings: [] };
  const temp = await mkdtemp(join(tmpdir(), "baiengine-smoke-"));
  const path = `package/${manifest.serverBinary}`;
  try {
    await extractPackage(file, join(temp, "root"), { ...(options.limits ? { limits: options.limits } : {}), ...(options.reporter ? { reporter: options.reporter } : {}) });
    const binary = join(temp, "root", path);
    const cwd = join(temp, "cwd");
    await mkdir(cwd);
    options.reporter?.step?.("smoke", `${plan.name}: ${manifest.serverBinary} --version`);
    const timeout = (options.timeoutSeconds ?? 60) * 1000;
    const args = [...plan.args(binary), "--version"];
    const command = plan.command === "" ? args.shift()! : plan.command;
    // Loaded on demand: verification without --smoke never needs a process runner.
    const { execa } = await import("execa");
    const started = Date.now();
    const run = await execa(command, args, {
      cwd,
      env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: cwd, LANG: "C.UTF-8", ...plan.env(temp) },
      extendEnv: false,
      all: true,
      reject: false,
      timeout,
      forceKillAfterDelay: 2000,
      stdin: "ignore",
      maxBuffer: 1024 * 1024,
    });
    const durationMs = Date.now() - started;
    const output = (run.all ?? "").slice(-4000);
    const result: SmokeResult = { ran: true, output, durationMs, runner: plan.name };
    if (run.timedOut) {
      if (plan.judgeByOutput && /version/i.test(output)) {
        result.note = `${plan.name}: printed its version but did not exit within ${timeout / 1000}s; judged by its output`;
        return { result, findings: [] };
      }
      return { result, findings: [errorFinding("SMOKE_TIMEOUT", `${manifest.serverBinary} --version did not finish within ${timeout / 1000}s`, path)] };
    }
    if (run.exitCode !== 0) {
      const why = run.failed && run.exitCode === undefined ? run.shortMessage : `exit code ${run.exitCode}`;
      return { result, findings: [errorFinding("SMOKE_FAILED", `${manifest.serverBinary} --version failed (${why}): ${lastLine(output)}`, path)] };
    }
    const devices = await smokeDevices(join(temp, "root", "package"), manifest, plan.name, options);
    result.devices = devices.devices;
    return { result, findings: devices.findings };
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
