import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, inject, it, vi } from "vitest";
import { publishHello } from "./helpers/published-hello.js";
import { writeJson } from "./helpers/registry-fixtures.js";
import { runCli } from "./helpers/run-cli.js";
import { tempDir } from "@baiengine/test-kit";

// Several CLI processes per test: seconds alone, minutes on a machine shared by several test runs.
vi.setConfig({ testTimeout: 180_000 });

const packed = inject("packedHello");
let future: string;
let mirrorUrl: string;

/** The published index as a newer registry would write it: platforms this client does not know, beside the one it does. */
beforeAll(async () => {
  const { registry, mirror } = await publishHello(packed);
  const index = JSON.parse(await readFile(registry, "utf8"));
  mirrorUrl = pathToFileURL(mirror).href;
  const known = index.engines[0].packages[0];
  index.engines[0].packages.push(
    { ...known, arch: "riscv64", filename: known.filename.replace("x86_64", "riscv64") },
    { ...known, accelerator: "npu", filename: known.filename.replace("-cpu", "-npu") },
    { ...known, os: "android", arch: "aarch64", filename: known.filename.replace("linux-x86_64", "android-aarch64") },
  );
  index.futureField = { kept: "by rewrites" };
  future = join(await tempDir(), "engines.json");
  await writeJson(future, index);
});

describe("an index newer than the client", () => {
  it("install skips the entries of unknown platforms, one warning line each, and installs the known one", async () => {
    const enginesDir = join(await tempDir(), "engines");
    const run = await runCli(["install", "--registry", future, "--engine", "hello", "--os", "linux", "--arch", "x86_64", "--accel", "cpu", "--base-url", mirrorUrl, "--engines-dir", enginesDir]);
    expect(run.code, run.stderr).toBe(0);
    const warnings = run.stderr.split("\n").filter((l) => l.startsWith("warning:"));
    expect(warnings).toEqual([
      expect.stringMatching(/^warning: engines\[0\]\.packages\[1\] \(.*riscv64.*\): skipped, arch "riscv64" is unknown to this version/),
      expect.stringMatching(/^warning: engines\[0\]\.packages\[2\] \(.*npu.*\): skipped, accelerator "npu" is unknown/),
      expect.stringMatching(/^warning: engines\[0\]\.packages\[3\] \(.*android.*\): skipped, os "android" is unknown/),
    ]);
    expect(run.stdout).toMatch(/^installed: hello /);
  });

  it("resolve and list read it too; validate (the registry's own check) stays strict", async () => {
    const resolve = await runCli(["resolve", "--registry", future, "--engine", "hello", "--os", "linux", "--arch", "x86_64", "--accel", "cpu", "--json"]);
    expect(resolve.code, resolve.stderr).toBe(0);
    expect(JSON.parse(resolve.stdout).platform).toBe("linux-x86_64-cpu");
    const list = await runCli(["list", "--registry", future]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stderr.match(/^warning: .*skipped/gm)).toHaveLength(3);
    const validate = await runCli(["validate", "--registry", future]);
    expect(validate.code).toBe(1);
    expect(validate.stderr).toMatch(/engines\[0\]\.packages\[1\]\.arch/);
  });
});
