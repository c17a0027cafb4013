import { execFile } from "node:child_process";

/** What running a tool gave: its stdout when it exited 0, else null with why. */
export interface ToolRun {
  /** stdout when the tool exited 0; null when it is missing, failed, was killed or timed out. */
  stdout: string | null;
  /** The command was not found (ENOENT). */
  missing: boolean;
  /** stdout, then stderr: for tools that print their answer on stderr, or a message about a failure. */
  output: string;
  /** The exit code, or the error's code (`ENOENT`, `ETIMEDOUT`) or the signal; null when unknown. */
  exitCode: number | string | null;
}

export interface RunToolOptions {
  /** Killed after this many milliseconds (default 10,000; 0: never). */
  timeoutMs?: number;
  /** Largest stdout or stderr kept, in bytes (default 8 MiB); more fails the run. */
  maxBuffer?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs a tool to read what it prints (`git rev-parse`, `nvidia-smi -L`, `getconf`): no shell, stdin
 * closed, UTF-8 output. Never throws: a missing tool, a non-zero exit, a signal or the timeout give
 * `stdout: null`. Every "run a tool, take its stdout or nothing" in the project goes through here.
 */
export function runTool(command: string, args: readonly string[], options: RunToolOptions = {}): Promise<ToolRun> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      [...args],
      {
        timeout: options.timeoutMs ?? 10_000,
        maxBuffer: options.maxBuffer ?? 8 * 1024 * 1024,
        windowsHide: true,
        encoding: "utf8",
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
        ...(options.env !== undefined ? { env: options.env } : {}),
      },
      (error, stdout, stderr) => {
        const output = `${stdout ?? ""}\n${stderr ?? ""}`;
        if (!error) return resolve({ stdout, missing: false, output, exitCode: 0 });
        const e = error as NodeJS.ErrnoException & { signal?: string | null };
        const exitCode = typeof error.code === "number" ? error.code : (e.code ?? e.signal ?? null);
        resolve({ stdout: null, missing: e.code === "ENOENT", output, exitCode });
      },
    );
    child.stdin?.end();
  });
}

/** A tool's stdout, or null when it is missing or fails (`runTool`'s `stdout`). */
export async function toolOutput(command: string, args: readonly string[], options: RunToolOptions = {}): Promise<string | null> {
  return (await runTool(command, args, options)).stdout;
}
