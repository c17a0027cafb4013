/**
 * The vitest globalSetup of every suite that runs real tools (compilers, CMake, qemu-user, wine,
 * pigz, …): before any test runs, it looks up the commands `scripts/test-tools.txt` lists for the
 * suite (its workspace folder's name) on PATH and, when some are missing, fails the run with one
 * line naming them, their Debian packages and `bash scripts/setup.sh`, instead of a stack of
 * unrelated test failures. The same table tells scripts/setup.sh what to install.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
// cli-kit's PATH lookup (PATHEXT on Windows): one definition, imported from source so that it
// works before any package is built.
import { which } from "../packages/cli-kit/src/system/which.js";

export const TOOL_TABLE = path.join(import.meta.dirname, "test-tools.txt");

export interface TestTool {
  command: string;
  debianPackage: string;
  /** Workspace folder names of the suites that run it (`packer`, `verifier`). */
  suites: string[];
}

/** The table's rows; `#` starts a comment line. */
export function readTestTools(file = TOOL_TABLE): TestTool[] {
  const rows: TestTool[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const [command, debianPackage, suites] = line.trim().split(/\s+/);
    if (!command || !debianPackage || !suites) throw new Error(`${file}: a row needs a command, a Debian package and suites: ${JSON.stringify(line)}`);
    rows.push({ command, debianPackage, suites: suites.split(",") });
  }
  return rows;
}

/** The one line for a suite's missing commands, or null when every one is on `pathEnv`. */
export function missingToolsLine(suite: string, pathEnv: string, tools = readTestTools()): string | null {
  const missing = tools.filter((t) => t.suites.includes(suite) && which(t.command, pathEnv) === null);
  if (missing.length === 0) return null;
  const list = missing.map((t) => `${t.command} (Debian package ${t.debianPackage})`).join(", ");
  return `the ${suite} tests need ${list}, not found on PATH; run: bash scripts/setup.sh`;
}

export default function setup(project: TestProject): void {
  const line = missingToolsLine(path.basename(project.config.root), process.env["PATH"] ?? "");
  if (line === null) return;
  // Exit rather than throw: vitest reports a thrown setup error under "Unhandled Error", after a
  // misleading "No test files found"; this line is the whole story.
  process.stderr.write(`error: ${line}\n`);
  process.exit(1);
}
