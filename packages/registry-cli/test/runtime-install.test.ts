import { execFile } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { pack, packRuntime } from "@baiengine/packer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPackageServer, type PackageServer } from "./helpers/package-server.js";
import { emptyRegistry, writeJson } from "./helpers/registry-fixtures.js";
import { runCli } from "./helpers/run-cli.js";
import { tempDir } from "@baiengine/test-kit";
import { installResolved, packageVerifier, readIndex, resolvePackage } from "../src/index.js";

/**
 * The whole chain of a GPU package that needs a runtime pack, on real parts: the packer's
 * GPU-shaped hello (cuda13; its backend registers a device only when the stub runtime
 * libhellort.so.1 it links can be loaded) and that runtime's `.bairuntime`, published with the real
 * CLI, served by a loopback HTTP server, installed into empty folders, and probed with an empty
 * environment.
 */

const RUNTIME = "hello-cuda13-runtime";
const RUNTIME_FILE = `${RUNTIME}-13.0.1-linux-x86_64.bairuntime`;
const VERSIONS = ["0.1.0", "0.2.0", "0.3.0"];
let root: string;
let registry: string;
let server: PackageServer;
let engineFiles: string[];
const base = () => `${server.url}/ok`;
const linux = ["--os", "linux", "--arch", "x86_64"];

async function publishVersion(version: string): Promise<void> {
  const r = await runCli(["update", "--registry", registry, "--engine", "hello", "--version", version, "--packages-dir", join(root, "packages")]);
  expect(r.code, r.stderr).toBe(0);
}

beforeAll(async () => {
  root = await tempDir();
  const cacheDir = join(root, "cache");
  engineFiles = [];
  let buildDir = "";
  for (const version of VERSIONS) {
    const packed = await pack({ engine: "hello", accel: "cuda13", version, out: join(root, "packages"), cacheDir });
    engineFiles.push(packed.file);
    buildDir = packed.plan.buildDir;
  }
  const runtime = await packRuntime({ accel: "cuda13", engine: "hello", toolkit: buildDir, out: join(root, "runtimes") });
  expect(basename(runtime.file)).toBe(RUNTIME_FILE);
  registry = join(root, "engines.json");
  await writeJson(registry, emptyRegistry());
  const r = await runCli(["update", "--registry", registry, "--runtime", RUNTIME, "--version", "13.0.1", "--packages-dir", join(root, "runtimes")]);
  expect(r.code, r.stderr).toBe(0);
  // The mirror: {tag}/{filename}, as a GitHub release lays them out.
  const mirror = join(root, "mirror");
  for (const [k, file] of engineFiles.entries()) {
    await mkdir(join(mirror, `hello-v${VERSIONS[k]}`), { recursive: true });
    await copyFile(file, join(mirror, `hello-v${VERSIONS[k]}`, basename(file)));
  }
  await mkdir(join(mirror, `${RUNTIME}-v13.0.1`));
  await copyFile(runtime.file, join(mirror, `${RUNTIME}-v13.0.1`, RUNTIME_FILE));
  server = await startPackageServer(mirror);
}, 600_000);
afterAll(() => server?.close());

const installEngine = (enginesDir: string, index = registry) =>
  runCli(["install", "--registry", index, "--engine", "hello", ...linux, "--accel", "cuda13", "--base-url", base(), "--engines-dir", enginesDir]);

async function listDevices(server: string): Promise<string> {
  const cwd = await tempDir("elsewhere");
  return (await promisify(execFile)(server, ["--list-devices"], { cwd, env: {} })).stdout.trim();
}

describe("install of a GPU package and its runtime pack from a loopback registry", () => {
  const enginesDir = () => join(root, "engines");
  const store = () => join(enginesDir(), "runtimes", RUNTIME, "13.0.1", "linux-x86_64");
  const engineDir = (v: string) => join(enginesDir(), "hello", v, "linux-x86_64-cuda13");

  it("installs the runtime first, links it in, and the device appears with an empty environment", async () => {
    await publishVersion("0.1.0");
    const r = await installEngine(enginesDir());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n")).toEqual([
      `installed: hello 0.1.0 -> ${engineDir("0.1.0")}`,
      `  installed: runtime ${RUNTIME} 13.0.1 linux-x86_64 -> ${store()}`,
      `  runtime: ${RUNTIME} 13.0.1 (1 hard-linked, 0 copied into ${join(engineDir("0.1.0"), "libs")})`,
      "  device: HelloGPU0: Hello stub GPU (1024 MiB, 1000 MiB free)",
      "  active: first install: active",
      "",
    ]);
    expect(await listDevices(join(engineDir("0.1.0"), "hello-server"))).toBe("Available devices:\n  HelloGPU0: Hello stub GPU (1024 MiB, 1000 MiB free)");
    expect(JSON.parse(await readFile(join(store(), "manifest.json"), "utf8"))).toMatchObject({ runtimeId: RUNTIME, version: "13.0.1", provides: ["libhellort.so.1"] });
  });

  it("three engines that need the same runtime store it once: one download, one inode", async () => {
    for (const version of ["0.2.0", "0.3.0"]) {
      await publishVersion(version);
      const r = await installEngine(enginesDir());
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`  runtime: ${RUNTIME} 13.0.1 (1 hard-linked, 0 copied`);
      expect(r.stdout).toContain(`  already installed: runtime ${RUNTIME} 13.0.1 linux-x86_64`);
    }
    const shared = await stat(join(store(), "libs", "libhellort.so.1"));
    for (const version of VERSIONS) {
      const linked = await stat(join(engineDir(version), "libs", "libhellort.so.1"));
      expect([linked.dev, linked.ino]).toEqual([shared.dev, shared.ino]);
    }
    expect(shared.nlink).toBe(4);
    expect(server.requests.filter((q) => q.method === "GET" && q.mode === "ok" && q.range === undefined).length).toBe(4);
  });

  it("--dry-run plans the runtime install beside the engine's, and changes nothing", async () => {
    const dir = join(root, "engines-dry");
    const r = await runCli(["install", "--registry", registry, "--engine", "hello", ...linux, "--accel", "cuda13", "--base-url", base(), "--engines-dir", dir, "--dry-run"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`needs   its runtime, installed first unless already there:\n  install runtime ${RUNTIME} 13.0.1 linux-x86_64\n  from    ${base()}/${RUNTIME}-v13.0.1/${RUNTIME_FILE}`);
    expect(existsSync(dir)).toBe(false);
    const resolved = await runCli(["resolve", "--registry", registry, "--engine", "hello", ...linux, "--accel", "cuda13", "--base-url", base(), "--json"]);
    expect(JSON.parse(resolved.stdout).runtime).toMatchObject({ id: RUNTIME, version: "13.0.1", url: `${base()}/${RUNTIME}-v13.0.1/${RUNTIME_FILE}` });
  });
});

describe("a GPU package without its runtime is never activated", () => {
  it("a local package file whose runtime is not installed: one line, exit 1, nothing installed", async () => {
    const dir = join(root, "engines-file");
    const r = await runCli(["install", engineFiles[0]!, "--engines-dir", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n").filter((l) => l.startsWith("error:"))).toEqual([
      `error: ${basename(engineFiles[0]!)} needs runtime ${RUNTIME} 13.0 or newer for linux-x86_64, which is not installed in ${join(dir, "runtimes")}`,
    ]);
    expect(await readdir(dir, { recursive: true })).toEqual([".downloads"]);
  });

  it("a runtime pack that fails its check leaves the engine uninstalled too", async () => {
    const dir = join(root, "engines-bad-runtime");
    const index = JSON.parse(await readFile(registry, "utf8"));
    index.runtimes[0].packages[0].sha256 = "0".repeat(64);
    const bad = join(root, "engines-bad-runtime.json");
    await writeFile(bad, JSON.stringify(index));
    const r = await installEngine(dir, bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the index lists ${"0".repeat(64)} for ${RUNTIME_FILE}`);
    expect(await readdir(dir, { recursive: true })).toEqual([".downloads"]);
  });

  it("the runtime installed alone from the index (or its file), then the package file installs and lists its device", async () => {
    const dir = join(root, "engines-runtime-first");
    const alone = await runCli(["install", "--registry", registry, "--runtime", RUNTIME, ...linux, "--base-url", base(), "--engines-dir", dir]);
    expect(alone.code, alone.stderr).toBe(0);
    expect(alone.stdout).toBe(`installed: runtime ${RUNTIME} 13.0.1 linux-x86_64 -> ${join(dir, "runtimes", RUNTIME, "13.0.1", "linux-x86_64")}\n`);
    const again = await runCli(["install", join(root, "runtimes", RUNTIME_FILE), "--engines-dir", dir]);
    expect(again.stdout).toContain("already installed: runtime");
    const engine = await runCli(["install", engineFiles[0]!, "--engines-dir", dir]);
    expect(engine.code, engine.stderr).toBe(0);
    expect(engine.stdout).toContain("  device: HelloGPU0: Hello stub GPU (1024 MiB, 1000 MiB free)");
  });

  it("offline import: a runtime pack dropped into incoming/ beside its engine is installed first", async () => {
    const dir = join(root, "engines-import");
    const incoming = join(dir, "incoming");
    await mkdir(incoming, { recursive: true });
    await copyFile(engineFiles[0]!, join(incoming, basename(engineFiles[0]!)));
    await copyFile(join(root, "runtimes", RUNTIME_FILE), join(incoming, RUNTIME_FILE));
    const r = await runCli(["import", "--engines-dir", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n")).toEqual([
      `installed ${RUNTIME_FILE} -> ${join(dir, "runtimes", RUNTIME, "13.0.1", "linux-x86_64")}`,
      `installed ${basename(engineFiles[0]!)} -> ${join(dir, "hello", "0.1.0", "linux-x86_64-cuda13")}`,
      "",
    ]);
  });
});

describe("a damaged runtime store is installed again, not taken as installed", () => {
  const storeOf = (dir: string) => join(dir, "runtimes", RUNTIME, "13.0.1", "linux-x86_64");
  // Self-contained when run alone (-t); the same version again changes nothing after the tests above.
  beforeAll(() => publishVersion("0.3.0"));

  it("a library deleted from the store: the next engine install (even --force) replaces the store and the device appears", async () => {
    const dir = join(root, "engines-damaged");
    expect((await installEngine(dir)).code).toBe(0);
    await rm(join(storeOf(dir), "libs", "libhellort.so.1"));
    const r = await runCli(["install", "--registry", registry, "--engine", "hello", ...linux, "--accel", "cuda13", "--base-url", base(), "--engines-dir", dir, "--force"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warning: ${storeOf(dir)} is damaged (libs/libhellort.so.1 is missing); installing ${RUNTIME_FILE} again`);
    expect(r.stdout).toContain(`  installed: runtime ${RUNTIME} 13.0.1 linux-x86_64 -> ${storeOf(dir)} (replacing a damaged copy: libs/libhellort.so.1 is missing)`);
    expect(r.stdout).toContain("  device: HelloGPU0: Hello stub GPU (1024 MiB, 1000 MiB free)");
    expect((await stat(join(storeOf(dir), "libs", "libhellort.so.1"))).size).toBeGreaterThan(0);
    expect((await readdir(join(storeOf(dir), ".."))).sort()).toEqual(["linux-x86_64"]);
  });

  it("a store without its manifest: a package file is refused naming the damage, and installing the runtime pack mends it", async () => {
    const dir = join(root, "engines-no-manifest");
    expect((await installEngine(dir)).code).toBe(0);
    await rm(join(storeOf(dir), "manifest.json"));
    const refused = await runCli(["install", engineFiles[1]!, "--engines-dir", dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.split("\n").filter((l) => l.startsWith("error:"))).toEqual([
      `error: ${basename(engineFiles[1]!)} needs runtime ${RUNTIME} 13.0 or newer for linux-x86_64, whose installed copy is damaged: ${storeOf(dir)}: its manifest.json is missing`,
    ]);
    const mend = await runCli(["install", join(root, "runtimes", RUNTIME_FILE), "--engines-dir", dir, "--json"]);
    expect(mend.code, mend.stderr).toBe(0);
    expect(JSON.parse(mend.stdout)).toMatchObject({ alreadyInstalled: false, repaired: "its manifest.json is missing" });
    const engine = await runCli(["install", engineFiles[1]!, "--engines-dir", dir]);
    expect(engine.code, engine.stderr).toBe(0);
    expect(engine.stdout).toContain("  device: HelloGPU0: Hello stub GPU (1024 MiB, 1000 MiB free)");
  });
});

describe("what others do to the engines folder during an install", () => {
  beforeAll(() => publishVersion("0.3.0"));

  it("a runtime store removed after the runtime install and before the linking (a concurrent remove) is installed again, and the engine installs with its device", async () => {
    const dir = join(await tempDir(), "engines");
    const store = join(dir, "runtimes", RUNTIME, "13.0.1", "linux-x86_64");
    const index = await readIndex(registry);
    const resolution = resolvePackage(index.registry, "hello", { request: { os: "linux", arch: "x86_64", accel: "cuda13" } }, { baseUrl: base() });
    const warnings: string[] = [];
    let removed = false;
    // The engine's download starts once its runtime is installed: the moment another process's remove could take the store.
    const reporter = {
      step: (name: string) => {
        if (name === "download, verify and extract" && existsSync(store) && !removed) {
          removed = true;
          rmSync(store, { recursive: true });
        }
      },
      log: (level: string, message: string) => void (level === "warn" && warnings.push(message)),
    };
    const result = await installResolved(resolution, dir, { verifier: packageVerifier, reporter });
    expect(removed).toBe(true);
    expect(warnings).toContain(`${RUNTIME} was removed while ${resolution.entry.filename} was being installed; installing it again`);
    expect(result.devices).toMatchObject({ ran: true });
    expect(existsSync(join(store, "libs", "libhellort.so.1"))).toBe(true);
    expect(await listDevices(join(dir, "hello", resolution.version, "linux-x86_64-cuda13", "hello-server"))).toContain("HelloGPU0");
  });
});
