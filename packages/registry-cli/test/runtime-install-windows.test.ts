import { execFile } from "node:child_process";
import { copyFile, mkdir, readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { pack, packRuntime } from "@baiengine/packer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PackageServer, startPackageServer } from "./helpers/package-server.js";
import { emptyRegistry, writeJson } from "./helpers/registry-fixtures.js";
import { runCli } from "./helpers/run-cli.js";
import { tempDir } from "@baiengine/test-kit";

/**
 * The Windows half of runtime installs, on real cross-built binaries: the GPU-shaped hello for
 * windows-x86_64 (mingw; hello-gpu.dll imports hellort64_1.dll) and its runtime pack, installed from
 * a loopback registry on this Linux host, then run under wine: the DLL linked beside the .exe is
 * found by Windows' DLL search order with nothing else on PATH.
 */

const RUNTIME = "hello-cuda13-runtime";
let root: string;
let registry: string;
let server: PackageServer;

beforeAll(async () => {
  root = await tempDir();
  const windows = { os: "windows", arch: "x86_64" } as const;
  const engine = await pack({ engine: "hello", accel: "cuda13", ...windows, out: join(root, "packages"), cacheDir: join(root, "cache") });
  const runtime = await packRuntime({ accel: "cuda13", engine: "hello", ...windows, toolkit: engine.plan.buildDir, out: join(root, "runtimes") });
  registry = join(root, "engines.json");
  await writeJson(registry, emptyRegistry());
  for (const args of [
    ["--runtime", RUNTIME, "--version", runtime.manifest.version, "--packages-dir", join(root, "runtimes")],
    ["--engine", "hello", "--version", engine.manifest.version, "--packages-dir", join(root, "packages")],
  ]) {
    const r = await runCli(["update", "--registry", registry, ...args]);
    expect(r.code, r.stderr).toBe(0);
  }
  const mirror = join(root, "mirror");
  for (const [tag, file] of [[`hello-v${engine.manifest.version}`, engine.file], [`${RUNTIME}-v${runtime.manifest.version}`, runtime.file]] as const) {
    await mkdir(join(mirror, tag), { recursive: true });
    await copyFile(file, join(mirror, tag, basename(file)));
  }
  server = await startPackageServer(mirror);
}, 600_000);
afterAll(() => server?.close());

describe("install of a windows-x86_64 GPU package and its runtime", () => {
  it("links hellort64_1.dll beside the .exe; under wine the device is listed", async () => {
    const enginesDir = join(root, "engines");
    const r = await runCli(["install", "--registry", registry, "--engine", "hello", "--os", "windows", "--arch", "x86_64", "--accel", "cuda13", "--base-url", `${server.url}/ok`, "--engines-dir", enginesDir]);
    expect(r.code, r.stderr).toBe(0);
    const dir = join(enginesDir, "hello", "0.1.0", "windows-x86_64-cuda13");
    expect(r.stdout).toContain(`  runtime: ${RUNTIME} 13.0.1 (1 hard-linked, 0 copied into ${dir})`);
    expect(r.stdout).toContain("  device probe skipped: a windows-x86_64 package cannot run on this host");
    const store = join(enginesDir, "runtimes", RUNTIME, "13.0.1", "windows-x86_64");
    expect((await stat(join(dir, "hellort64_1.dll"))).ino).toBe((await stat(join(store, "libs", "hellort64_1.dll"))).ino);
    expect((await readdir(dir)).filter((f) => f.endsWith(".exe"))).toContain("hello-server.exe");

    const cwd = await tempDir();
    const env = { PATH: "/usr/bin:/bin", HOME: root, WINEPREFIX: join(root, "wineprefix"), WINEDEBUG: "-all" };
    const { stdout } = await promisify(execFile)("wine", [join(dir, "hello-server.exe"), "--list-devices"], { cwd, env, timeout: 120_000 });
    expect(stdout.replace(/\r\n/g, "\n").trim()).toBe("Available devices:\n  HelloGPU0: Hello stub GPU (1024 MiB, 1000 MiB free)");
  }, 240_000);
});
