import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CI_ENV, runCli, tempDir, tempDirSync } from "../src/index.js";

const top = tempDirSync("kit-top");
let fromBeforeAll = "";
let fromTest = "";

beforeAll(async () => {
  fromBeforeAll = await tempDir("kit-before");
});

// Runs after the file's other afterAll hooks have been registered, so it sees what they removed last.
afterAll(() => {
  expect(existsSync(fromTest)).toBe(false);
});

describe("tempDir", () => {
  it("makes fresh folders under the OS's temporary folder", async () => {
    fromTest = await tempDir("kit-test");
    expect(existsSync(fromTest)).toBe(true);
    expect(fromTest).toMatch(/baiengine-kit-test-/);
    expect(existsSync(top)).toBe(true);
    expect(existsSync(fromBeforeAll)).toBe(true);
  });

  it("removes a folder made inside a test when that test finishes", () => {
    expect(fromTest).not.toBe("");
    expect(existsSync(fromTest)).toBe(false);
  });
});

describe("runCli", () => {
  it("runs a script with this node in the CI environment, with the test's variables on top, and never rejects on failure", async () => {
    const dir = await tempDir("kit-cli");
    const script = join(dir, "cli.mjs");
    writeFileSync(script, "console.log(JSON.stringify({ ci: process.env.CI, gha: process.env.GITHUB_ACTIONS, x: process.env.X, node: process.execPath })); console.error('bad'); process.exit(Number(process.argv[2]));");
    const run = await runCli(script, ["3"], { env: { X: "y" } });
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toEqual({ ci: CI_ENV["CI"], gha: "", x: "y", node: process.execPath });
    expect(run.stderr).toBe("bad\n");
  });

  it("hands stdin over and closes it", async () => {
    const dir = await tempDir("kit-stdin");
    const script = join(dir, "cat.mjs");
    writeFileSync(script, "let s = ''; process.stdin.on('data', (d) => { s += d; }).on('end', () => console.log(s.toUpperCase()));");
    expect((await runCli(script, [], { input: "abc" })).stdout).toBe("ABC\n");
    expect((await runCli(script, [])).stdout).toBe("\n");
  });
});
