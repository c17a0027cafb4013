import { spawn } from "node:child_process";
import type { Served } from "../helpers/processes.js";
import { run } from "../helpers/processes.js";

/**
 * Starts `command args` in a process group of its own, so that stopping it also ends what the
 * emulator started (wine's preloader and its children). Under wine llama-server need not exit by
 * itself: stop() signals the whole group, escalates to SIGKILL, then shuts the prefix's
 * wineserver down, so nothing outlives the test.
 */
export function serveEmulated(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Served {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  const collect = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  // "exit", not "close": wineserver may inherit the pipes and hold them open.
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // the group is gone already
    }
  };
  return {
    child,
    output: () => output,
    stop: async () => {
      signalGroup("SIGTERM");
      const timer = setTimeout(() => signalGroup("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
      signalGroup("SIGKILL");
      if (options.env["WINEPREFIX"]) await run("wineserver", ["-k"], { env: options.env, timeoutMs: 30_000 }).catch(() => undefined);
      child.stdout?.destroy();
      child.stderr?.destroy();
    },
  };
}
