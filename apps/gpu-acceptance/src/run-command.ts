import { execa } from "execa";
import type { PlannedCommand } from "./plan.js";
import { StepFailed } from "./steps.js";

/** The command with `{name}` placeholders replaced from `values`. */
export function fill(command: PlannedCommand, values: Record<string, string>): PlannedCommand {
  const sub = (s: string) => s.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
  return { argv: command.argv.map(sub), ...(command.env ? { env: Object.fromEntries(Object.entries(command.env).map(([k, v]) => [k, sub(v)])) } : {}) };
}

/**
 * Runs a command to its end: its stdout, or StepFailed with its last error line. A command with an
 * empty `env` runs with exactly that environment (as the app starts an engine); otherwise its
 * `env` is added to this process's.
 */
export async function runCommand(command: PlannedCommand, options: { cwd?: string } = {}): Promise<string> {
  const [file, ...args] = command.argv;
  const clean = command.env !== undefined && Object.keys(command.env).length === 0;
  const r = await execa(file!, args, { reject: false, stdin: "ignore", ...(options.cwd ? { cwd: options.cwd } : {}), env: command.env ?? {}, extendEnv: !clean });
  if (r.exitCode !== 0 || r.failed) {
    const lines = `${r.stderr}\n${r.stdout}`.split("\n").filter((l) => l.trim() !== "");
    const last = lines.find((l) => l.startsWith("error:")) ?? lines.at(-1) ?? r.shortMessage;
    throw new StepFailed(`${command.argv.slice(0, 3).map((a) => a.split("/").pop()).join(" ")} failed (exit ${r.exitCode ?? r.signal}): ${last}`);
  }
  return r.stdout;
}
