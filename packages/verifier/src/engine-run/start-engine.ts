import { spawn } from "node:child_process";
import type { Runner } from "./runner.js";

/** Node's errno codes a failed start gives, in words; EACCES on an executable file is usually a noexec mount. */
const START_ERRORS: Record<string, string> = {
  EACCES: "permission denied (EACCES): is the folder on a file system mounted noexec, or the file not executable?",
  ENOENT: "no such file (ENOENT)",
  ENOEXEC: "not an executable for this machine (ENOEXEC)",
  EPERM: "operation not permitted (EPERM)",
};

/** How much of a server's output is kept (its tail), in characters. */
const OUTPUT_TAIL = 20_000;

/**
 * The environment an engine gets, as the app starts it: nothing of the caller's (no PATH,
 * LD_LIBRARY_PATH or CUDA_PATH), so only the package's own folders and the system's supply libraries;
 * Windows keeps SystemRoot, without which its loader cannot start a process; an emulator gets what
 * it needs itself (the runner's env: wine's prefix).
 */
export function engineEnvironment(runner: Runner, temp: string): Record<string, string> {
  const base: Record<string, string> = process.platform === "win32" && process.env["SystemRoot"] ? { SystemRoot: process.env["SystemRoot"] } : {};
  return { ...base, ...runner.env(temp) };
}

/** How a started engine ended: its exit code or signal, or why it never started. */
export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why it never started, in words (`no such file (ENOENT)`); null when it started. */
  startError: string | null;
}

/** A running engine: its output so far, how it ended (once it did), and stop(), which always ends it. */
export interface StartedEngine {
  /** stdout and stderr as they came, the last 20,000 characters. */
  output(): string;
  /** stdout alone, the last 20,000 characters (device listings are read from it). */
  stdout(): string;
  /** null while it runs. */
  exit(): EngineExit | null;
  exited: Promise<EngineExit>;
  /** SIGTERM to its process group, SIGKILL after 5 s, then the runner's cleanup; resolves once it ended. */
  stop(): Promise<void>;
}

/**
 * THE way an engine's server is started, for the smoke run and the device probe alike: through the
 * runner (natively, qemu or wine) with `engineEnvironment`, from `cwd` (a folder of its own, not the
 * package's), stdin closed, in a process group of its own so stopping it also ends what an emulator
 * started. Never throws: a failed start is an exit with `startError`.
 */
export function startEngine(runner: Runner, binary: string, args: string[], options: { cwd: string; temp: string }): StartedEngine {
  const argv = [...runner.args(binary), ...args];
  const command = runner.command === "" ? argv.shift()! : runner.command;
  const env = engineEnvironment(runner, options.temp);
  const detached = process.platform !== "win32";
  const child = spawn(command, argv, { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"], detached, windowsHide: true });
  let all = "";
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out = (out + d.toString()).slice(-OUTPUT_TAIL);
    all = (all + d.toString()).slice(-OUTPUT_TAIL);
  });
  child.stderr.on("data", (d: Buffer) => {
    all = (all + d.toString()).slice(-OUTPUT_TAIL);
  });
  let ended: EngineExit | null = null;
  // "exit", not "close": wineserver may inherit the pipes and hold them open.
  const exited = new Promise<EngineExit>((resolve) => {
    child.on("error", (error: NodeJS.ErrnoException) => {
      ended ??= { code: null, signal: null, startError: START_ERRORS[error.code ?? ""] ?? error.code ?? error.message };
      resolve(ended);
    });
    child.on("exit", (code, signal) => {
      ended ??= { code, signal, startError: null };
      resolve(ended);
    });
  });
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (detached && child.pid !== undefined) process.kill(-child.pid, sig);
      else child.kill(sig);
    } catch {
      // the group is gone already
    }
  };
  return {
    output: () => all,
    stdout: () => out,
    exit: () => ended,
    exited,
    stop: async () => {
      if (ended === null) signal("SIGTERM");
      const timer = setTimeout(() => signal("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
      signal("SIGKILL"); // what the emulator left in the group
      if (runner.cleanup) await runCleanup(runner.cleanup, env, options.cwd);
      child.stdout.destroy();
      child.stderr.destroy();
    },
  };
}

function runCleanup(cleanup: { command: string; args: string[] }, env: Record<string, string>, cwd: string): Promise<void> {
  return new Promise((resolve) => {
    const c = spawn(cleanup.command, cleanup.args, { cwd, env, stdio: "ignore" });
    const timer = setTimeout(() => c.kill("SIGKILL"), 30_000);
    c.on("error", () => resolve());
    c.on("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** What a server run to its end did: exit, output, and why it did not finish when it did not. */
export interface EngineRun {
  exit: EngineExit;
  output: string;
  stdout: string;
  /** `could not start: …`, `did not finish within 60 s`, `was killed by SIGSEGV`; null for an exit with a code. */
  failure: string | null;
  timedOut: boolean;
  durationMs: number;
}

/** Starts an engine (startEngine) and waits for it to exit, stopping it after `timeoutMs`. Never throws. */
export async function runEngine(runner: Runner, binary: string, args: string[], options: { cwd: string; temp: string; timeoutMs: number }): Promise<EngineRun> {
  const started = Date.now();
  const engine = startEngine(runner, binary, args, options);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([engine.exited.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), options.timeoutMs)))]);
  clearTimeout(timer);
  await engine.stop();
  const exit = engine.exit()!;
  const failure = exit.startError !== null ? `could not start: ${exit.startError}` : (timedOut ? `did not finish within ${options.timeoutMs / 1000} s` : exit.signal ? `was killed by ${exit.signal}` : null);
  return { exit, output: engine.output(), stdout: engine.stdout(), failure, timedOut, durationMs: Date.now() - started };
}
