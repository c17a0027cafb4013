import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/run-cli.js";
import { tempDirSync } from "@baiengine/test-kit";

// Made when the file loads: the cases are listed before any hook runs.
const dir = tempDirSync("registry-cli-paths");
const missing = join(dir, "does-not-exist");
const file = join(dir, "a-file");
const registry = join(dir, "registry", "engines.json");

beforeAll(async () => {
  writeFileSync(file, "x");
  expect((await runCli(["init", join(dir, "registry")])).code).toBe(0);
});

/** Every command, each with every path argument it takes missing (or naming a file where a folder belongs). */
const cases = (): Record<string, string[][]> => ({
  update: [
    ["--registry", join(missing, "engines.json"), "--engine", "hello", "--version", "1.0.0", "--packages-dir", missing],
    ["--registry", registry, "--engine", "hello", "--version", "1.0.0", "--packages-dir", missing],
    ["--registry", registry, "--engine", "hello", "--version", "1.0.0", "--packages-dir", file],
  ],
  validate: [["--registry", join(missing, "engines.json")], ["--registry", registry, "--packages-dir", missing]],
  resolve: [
    ["--registry", join(missing, "engines.json"), "--engine", "hello"],
    ["--registry", registry, "--engine", "hello", "--trust", join(missing, "root.json"), "--engines-dir", join(dir, "engines")],
  ],
  install: [
    [join(missing, "hello-1.0.0-linux-x86_64-cpu.baiengine"), "--engines-dir", join(missing, "engines")],
    ["--registry", join(missing, "engines.json"), "--engine", "hello", "--engines-dir", missing],
    [file, "--engines-dir", missing],
  ],
  import: [["--incoming", missing, "--engines-dir", missing], ["--incoming", file, "--engines-dir", missing]],
  list: [["--registry", join(missing, "engines.json")]],
  "name-packages": [
    ["--registry", registry, "--engine", "hello", "--version", "1.0.0", "--packages-dir", missing],
    ["--registry", join(missing, "engines.json"), "--engine", "hello", "--version", "1.0.0", "--packages-dir", missing],
  ],
  export: [
    ["--format", "packages-json", "--registry", join(missing, "engines.json")],
    ["--format", "packages-json", "--registry", registry, "--out", join(file, "packages.json")],
  ],
  migrate: [["--from", join(missing, "packages.json"), "--to", join(missing, "engines.json")], ["--from", file, "--to", join(file, "engines.json")]],
  "set-base-url": [["https://example.com/x", "--registry", join(missing, "engines.json")]],
  init: [[join(file, "under-a-file")]],
  yank: [["hello@1.0.0", "--reason", "broken", "--registry", join(missing, "engines.json")]],
  unyank: [["hello@1.0.0", "--registry", join(missing, "engines.json")]],
  installed: [["--engines-dir", file], ["--engines-dir", missing, "--registry", join(missing, "engines.json")]],
  use: [["hello@1.0.0", "--engines-dir", missing], ["hello@1.0.0", "--engines-dir", file]],
  rollback: [["hello", "--engines-dir", missing]],
  remove: [["hello@1.0.0", "--engines-dir", missing]],
  prune: [["--engines-dir", file]],
  sign: [
    ["--registry", join(missing, "engines.json"), "--metadata-dir", missing],
    ["--registry", registry, "--metadata-dir", missing, "--keys-dir", missing],
  ],
  trust: [
    ["init", "--metadata-dir", join(file, "metadata"), "--keys-dir", join(file, "keys")],
    ["timestamp", "--metadata-dir", missing],
    ["rotate", "--metadata-dir", missing, "--keys-dir", missing],
  ],
});

describe("every command with a missing path: one error line, exit 1 or 2, never an internal error", () => {
  it("the table covers every command the CLI lists", async () => {
    const help = await runCli(["--help"]);
    const commands = [...help.stdout.split("Commands:")[1]!.matchAll(/^ {2}([a-z-]+)/gm)].map((m) => m[1]).filter((c) => c !== "help");
    expect(Object.keys(cases()).sort()).toEqual(commands.sort());
  });

  it.each(Object.entries(cases()).flatMap(([command, runs]) => runs.map((args) => [command, args] as const)))("%s %j", async (command, args) => {
    const run = await runCli([command, ...args]);
    expect([1, 2], run.stderr).toContain(run.code);
    expect(run.stderr).not.toMatch(/internal error|this is a bug|\n\s+at /);
    const errors = run.stderr.split("\n").filter((l) => l.startsWith("error:"));
    expect(errors, run.stderr).toHaveLength(1);
  });
});
