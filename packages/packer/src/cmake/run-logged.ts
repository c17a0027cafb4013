import { createWriteStream } from "node:fs";
import type { Reporter } from "@baiengine/schema";
import { execa } from "execa";
import { BuildFailedError } from "../errors.js";
import type { PlannedCommand } from "../plan/plan-types.js";
import { logTail, parseBuildProgress } from "./build-progress.js";

/**
 * Runs a planned command with its output appended to `logFile`, reporting `[n/m]` lines as progress
 * of `phase`. A non-zero exit throws a BuildFailedError with the relevant lines and the log's path.
 */
export async function runLogged(phase: string, command: PlannedCommand, logFile: string, reporter: Reporter, signal?: AbortSignal): Promise<void> {
  const log = createWriteStream(logFile, { flags: "a" });
  log.write(`\n$ ${command.argv.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(" ")}\n`);
  const recent: string[] = [];
  const [file, ...args] = command.argv;
  const child = execa(file!, args, {
    cwd: command.cwd,
    env: command.env,
    reject: false,
    all: true,
    buffer: false,
    stdin: "ignore",
    ...(signal ? { cancelSignal: signal } : {}),
  });
  let pending = "";
  child.all?.on("data", (chunk: Buffer) => {
    log.write(chunk);
    pending += chunk.toString("utf8");
    const lines = pending.split(/\r?\n/);
    pending = lines.pop() ?? "";
    for (const line of lines) {
      recent.push(line);
      if (recent.length > 400) recent.splice(0, recent.length - 400);
      const p = parseBuildProgress(line);
      if (p) reporter.progress?.(phase, p.done, p.total, p.detail);
      else reporter.log?.("debug", line);
    }
  });
  const result = await child;
  if (pending) recent.push(pending);
  await new Promise<void>((resolve) => log.end(resolve));
  if (result.exitCode !== 0) {
    const tail = logTail(recent);
    const why = result.isCanceled ? "was cancelled" : result.failed && result.exitCode === undefined ? `could not start (${result.shortMessage})` : `failed with exit code ${result.exitCode}`;
    throw new BuildFailedError(
      `cmake ${phase} ${why}${tail.length ? `:\n${tail.map((l) => `  ${l}`).join("\n")}` : ""}`,
      `full log: ${logFile}`,
      logFile,
      tail,
    );
  }
}
