import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MATRIX_BIN, REPO_ROOT } from "./helpers.js";
import { runCli, tempDirSync } from "@baiengine/test-kit";

// The CLIs this app drives (the registry CLI has its own walk in packages/registry-cli/test/missing-paths.test.ts).
const BINS = {
  matrix: MATRIX_BIN,
  "pack-engine": join(REPO_ROOT, "packages", "packer", "bin", "pack-engine.js"),
  "verify-engine": join(REPO_ROOT, "packages", "verifier", "bin", "verify-engine.js"),
};
const dir = tempDirSync("matrix-paths");
const missing = join(dir, "does-not-exist");
const file = join(dir, "a-file");
writeFileSync(file, "x");

/** Every command of each CLI with a path argument missing (or under a file), and the exit code expected. */
const cases: [keyof typeof BINS, string[]][] = [
  ["matrix", ["release", "verify", "--engine", "hello", "--version", "0.1.0", "--packages-dir", missing]],
  ["matrix", ["release", "publish", "--engine", "hello", "--version", "0.1.0", "--packages-dir", missing, "--repo", missing]],
  // `runtimes` reads no path: an unknown runtime id is its bad input.
  ["matrix", ["runtimes", "--runtime", missing]],
  ["matrix", ["build", "--host", "--engine", "hello", "--source", missing, "--out", join(file, "out")]],
  ["pack-engine", ["--engine", "hello", "--accel", "cpu", "--source", missing, "--cache-dir", join(dir, "cache")]],
  ["pack-engine", ["--engine", "hello", "--accel", "cpu", "--cache-dir", join(file, "cache")]],
  ["verify-engine", [missing]],
  ["verify-engine", ["--registry", missing, file]],
];

describe("every command with a missing path: exit 1 or 2 and an error line, never an internal error", () => {
  it("the table covers every matrix command", async () => {
    const help = await runCli(MATRIX_BIN, ["--help"]);
    const release = await runCli(MATRIX_BIN, ["release", "--help"]);
    const commands = (text: string) => [...text.split("Commands:")[1]!.matchAll(/^ {2}([a-z-]+)/gm)].map((m) => m[1]).filter((c) => c !== "help");
    const listed = [...commands(help.stdout).filter((c) => c !== "release"), ...commands(release.stdout).map((c) => `release ${c}`)].sort();
    const covered = [...new Set(cases.filter(([bin]) => bin === "matrix").map(([, args]) => (args[0] === "release" ? `release ${args[1]}` : args[0]!)))].sort();
    expect(covered).toEqual(listed);
  });

  it.each(cases)("%s %j", async (bin, args) => {
    const run = await runCli(BINS[bin], args, { cwd: dir });
    expect([1, 2], `${run.stdout}\n${run.stderr}`).toContain(run.code);
    expect(`${run.stdout}\n${run.stderr}`).not.toMatch(/internal error|this is a bug|\n\s+at /);
    expect(`${run.stdout}\n${run.stderr}`).toMatch(/error/);
  });
});
