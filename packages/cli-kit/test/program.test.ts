import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { codeOfName, createProgram, EXIT, exitCodeFor, FailureError, parsePositiveInt, UsageError } from "../src/index.js";
import { tempDirSync } from "@baiengine/test-kit";

const dir = tempDirSync("cli-kit");
const kit = pathToFileURL(join(import.meta.dirname, "..", "dist", "index.js")).href;

/** Runs a tiny CLI built with the kit (from dist, as users get it) in a real node process. */
function cli(body: string, args: string[], env: Record<string, string> = {}) {
  const file = join(dir, `cli-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, `import * as kit from ${JSON.stringify(kit)};\n${body}\n`);
  const result = spawnSync(process.execPath, [file, ...args], { encoding: "utf8", env: { PATH: process.env["PATH"] ?? "", ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const demo = `
const program = kit.createProgram("demo", "a demo", "1.2.3", { versionFlags: process.env.FLAGS || undefined });
program.option("--count <n>", "a number", kit.parsePositiveInt("--count"))
  .option("--version-of <v>", "unrelated")
  .action((o) => {
    if (o.count === 13) throw new kit.FailureError("thirteen is refused", "pass another --count");
    if (o.count === 7) throw new Error("boom");
    kit.printJson({ count: o.count ?? 0 });
  });
await kit.runCli(program);`;

describe("runCli", () => {
  it("exits 0 with the result on stdout", () => {
    expect(cli(demo, ["--count", "3"])).toMatchObject({ code: 0, stdout: '{\n  "count": 3\n}\n' });
  });

  it("exits 2 with one line for usage errors", () => {
    const unknown = cli(demo, ["--nope"]);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr.trim()).toBe("error: unknown option '--nope'");
    const bad = cli(demo, ["--count", "x"]);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toContain('--count expects a positive integer, got "x"');
  });

  it("names a typo of a required flag as the unknown option it is, with the suggestion, in subcommands too", () => {
    const required = `
const program = kit.createProgram("demo", "a demo", "1.2.3");
program.requiredOption("--accel <token>", "an accelerator").action((o) => kit.printJson(o));
program.command("sub").requiredOption("--packages-dir <dir>", "a folder").action((o) => kit.printJson(o));
await kit.runCli(program);`;
    const typo = cli(required, ["--acel", "cpu"]);
    expect(typo.code).toBe(EXIT.usage);
    expect(typo.stderr).toBe("error: unknown option '--acel'\n(Did you mean --accel?)\n");
    expect(cli(required, ["sub", "--packages-dri=x"]).stderr).toBe("error: unknown option '--packages-dri=x'\n(Did you mean --packages-dir?)\n");
    // Really missing: said as before.
    expect(cli(required, ["sub"]).stderr).toBe("error: required option '--packages-dir <dir>' not specified\n");
    expect(cli(required, ["--accel", "cpu"])).toMatchObject({ code: 0, stdout: '{\n  "accel": "cpu"\n}\n' });
  });

  it("exits 1 with the message and the fix for a refusal, never a stack trace", () => {
    const refused = cli(demo, ["--count", "13"]);
    expect(refused).toMatchObject({ code: EXIT.failed, stdout: "" });
    expect(refused.stderr).toBe("error: thirteen is refused\n  hint: pass another --count\n");
  });

  it("reports an unexpected error in one line and shows the stack only with BAIENGINE_DEBUG", () => {
    const plain = cli(demo, ["--count", "7"]);
    expect(plain.code).toBe(EXIT.failed);
    expect(plain.stderr).toContain("error: internal error: boom");
    expect(plain.stderr).not.toContain("    at ");
    expect(cli(demo, ["--count", "7"], { BAIENGINE_DEBUG: "1" }).stderr).toContain("    at ");
  });

  it("annotates errors under GitHub Actions", () => {
    const refused = cli(demo, ["--count", "13"], { GITHUB_ACTIONS: "true" });
    expect(refused.stderr.split("\n")[0]).toBe("::error::thirteen is refused");
  });

  it("prints --help and --version and exits 0; the version flags can move", () => {
    expect(cli(demo, ["--version"])).toMatchObject({ code: 0, stdout: "1.2.3\n" });
    expect(cli(demo, ["--help"])).toMatchObject({ code: 0, stdout: expect.stringContaining("Usage: demo [options]") });
    expect(cli(demo, ["--tool-version"], { FLAGS: "-V, --tool-version" })).toMatchObject({ code: 0, stdout: "1.2.3\n" });
    expect(cli(demo, ["--version"], { FLAGS: "-V, --tool-version" }).code).toBe(EXIT.usage);
  });
});

describe("--json failures", () => {
  const failing = `
class HashMismatchError extends kit.FailureError {
  constructor(expected, actual) { super("sha256 differs", "fetch it again"); this.expected = expected; this.actual = actual; }
}
const program = kit.createProgram("demo", "a demo", "1.2.3").option("--json").option("--bug")
  .action((o) => { if (o.bug) throw new Error("boom"); throw new HashMismatchError("aa", "bb"); });
await kit.runCli(program);`;

  it("print one JSON document on stdout with a stable code and the error's fields as facts, and the line on stderr", () => {
    const r = cli(failing, ["--json"]);
    expect(r.code).toBe(EXIT.failed);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: "HASH_MISMATCH", exitCode: 1, message: "sha256 differs", hint: "fetch it again", facts: { expected: "aa", actual: "bb" } } });
    expect(r.stderr).toBe("error: sha256 differs\n  hint: fetch it again\n");
  });

  it("name usage errors USAGE and bugs INTERNAL; without --json stdout stays empty", () => {
    expect(JSON.parse(cli(failing, ["--json", "--nope"]).stdout).error).toMatchObject({ code: "USAGE", exitCode: 2, message: "unknown option '--nope'" });
    expect(JSON.parse(cli(failing, ["--json", "--bug"]).stdout).error).toMatchObject({ code: "INTERNAL", exitCode: 1, message: "internal error: boom" });
    expect(cli(failing, []).stdout).toBe("");
  });

  it("derive codes from class names, UPPER_SNAKE without Error", () => {
    expect(["HashMismatchError", "UsageError", "NoPackageFitsError", "IndexInvalidError", "Sha256MismatchError"].map(codeOfName)).toEqual(["HASH_MISMATCH", "USAGE", "NO_PACKAGE_FITS", "INDEX_INVALID", "SHA256_MISMATCH"]);
  });
});

describe("exitCodeFor", () => {
  it("maps each error class to its exit code and reports message and hint", () => {
    const seen: [string, string | undefined][] = [];
    const report = (m: string, h?: string) => seen.push([m, h]);
    expect(exitCodeFor(new UsageError("bad flag", "see --help"), report)).toBe(2);
    expect(exitCodeFor(new FailureError("refused"), report)).toBe(1);
    expect(seen).toEqual([["bad flag", "see --help"], ["refused", undefined]]);
  });

  it("parses positive integers only", () => {
    expect(parsePositiveInt("--jobs")("4")).toBe(4);
    expect(() => parsePositiveInt("--jobs")("0")).toThrow(UsageError);
    expect(() => parsePositiveInt("--jobs")("2.5")).toThrow('--jobs expects a positive integer, got "2.5"');
  });

  it("creates commander programs that throw instead of exiting", () => {
    const program = createProgram("x", "y", "0.0.1");
    expect(() => program.parse(["node", "x", "--bogus"], { from: "node" })).toThrow();
  });
});
