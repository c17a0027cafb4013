import { spawn } from "node:child_process";

/**
 * The environment every CLI under test runs in: as on a CI runner (`CI=1`: no progress bars, no
 * colours, plain lines), but not as GitHub Actions (no `::error::` annotations, no step summary),
 * unless a test sets those itself.
 */
export const CI_ENV: Readonly<Record<string, string>> = { CI: "1", GITHUB_ACTIONS: "", GITHUB_STEP_SUMMARY: "", FORCE_COLOR: "0" };

export interface CliRun {
  /** Exit code; null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  cwd?: string;
  /** Added to the test process's environment and CI_ENV (a value of undefined removes a variable). */
  env?: Record<string, string | undefined>;
  /** The whole environment instead of the test process's (CI_ENV still applies underneath `env`). */
  cleanEnv?: boolean;
  /** Arguments for node before the script (`--import`, `--expose-gc`). */
  nodeArgs?: string[];
  /** Written to stdin, which is then closed (stdin is closed at once without it). */
  input?: string;
  /** Also copy the CLI's output to the test's stderr as it arrives: long builds stay visible. */
  live?: boolean;
  /** Hears the output as it arrives, for a test that acts while the CLI runs. */
  onData?: (stream: "stdout" | "stderr", text: string) => void;
  /** Stops the CLI (SIGTERM) when aborted. */
  signal?: AbortSignal;
  /** Run `command` instead of `node <script>`: a shell wrapper (`sh -c 'ulimit -f 8; exec "$0" "$@"'`). */
  wrapper?: string[];
}

/** The environment a CLI is given: the test's (or none), then CI_ENV, then the test's own variables. */
export function cliEnv(options: Pick<RunCliOptions, "env" | "cleanEnv"> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...(options.cleanEnv ? { PATH: process.env["PATH"] ?? "" } : process.env), ...CI_ENV };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/**
 * Runs a Node CLI script (a package's `bin/*.js`) as its own process, as users and CI do, with this
 * Node binary. Resolves when it exits, with its code and output; never rejects on a non-zero exit.
 */
export function runCli(script: string, args: readonly string[], options: RunCliOptions = {}): Promise<CliRun> {
  const argv = [...(options.nodeArgs ?? []), script, ...args];
  const [command, ...rest] = options.wrapper ? [...options.wrapper, process.execPath, ...argv] : [process.execPath, ...argv];
  return new Promise((resolve, reject) => {
    const child = spawn(command!, rest, { cwd: options.cwd, env: cliEnv(options), stdio: ["pipe", "pipe", "pipe"], ...(options.signal ? { signal: options.signal } : {}) });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (options.live) process.stderr.write(d);
      options.onData?.("stdout", d);
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      if (options.live) process.stderr.write(d);
      options.onData?.("stderr", d);
    });
    child.stdin.end(options.input ?? "");
    child.on("error", (error) => ((error as NodeJS.ErrnoException).name === "AbortError" ? undefined : reject(error)));
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
