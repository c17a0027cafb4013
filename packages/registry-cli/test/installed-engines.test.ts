import { pathToFileURL } from "node:url";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, cp, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { pack, packRuntime } from "@baiengine/packer";
import { safeParseActiveRecord } from "@baiengine/schema";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startPackageServer, type PackageServer } from "./helpers/package-server.js";
import { emptyRegistry, writeJson } from "./helpers/registry-fixtures.js";
import { tempDir } from "@baiengine/test-kit";
import { installingPath } from "../src/install/place-install.js";
import { CLI, runCli } from "./helpers/run-cli.js";

/**
 * Installed engines as the app manages them, on real parts: the packer's hello engine in three
 * versions (cpu) and its GPU-shaped build in two (cuda13, with the stub runtime pack), published
 * with the real CLI (the index keeps its history), served from a loopback HTTP server and installed
 * by the CLI as separate processes.
 */
// Each test runs the CLI as many processes (installs, removals, kills): a limit for loaded machines.
vi.setConfig({ testTimeout: 600_000 });

const RUNTIME = "hello-cuda13-runtime";
const CPU_VERSIONS = ["0.1.0", "0.2.0", "0.3.0"];
const GPU_VERSIONS = ["0.1.0", "0.2.0"];
let root: string;
let registry: string;
let server: PackageServer;
const linux = ["--os", "linux", "--arch", "x86_64"];

beforeAll(async () => {
  root = await tempDir("installed-engines");
  const cacheDir = join(root, "cache");
  const mirror = join(root, "mirror");
  registry = join(root, "engines.json");
  await writeJson(registry, emptyRegistry());
  let gpuBuild = "";
  for (const version of CPU_VERSIONS) {
    const packages = join(root, `packages-${version}`);
    const cpu = await pack({ engine: "hello", accel: "cpu", version, out: packages, cacheDir });
    const files = [cpu.file];
    if (GPU_VERSIONS.includes(version)) {
      const gpu = await pack({ engine: "hello", accel: "cuda13", version, out: packages, cacheDir });
      gpuBuild = gpu.plan.buildDir;
      files.push(gpu.file);
      if (version === GPU_VERSIONS[0]) {
        const runtime = await packRuntime({ accel: "cuda13", engine: "hello", toolkit: gpuBuild, out: join(root, "runtimes") });
        await mkdir(join(mirror, `${RUNTIME}-v13.0.1`), { recursive: true });
        await copyFile(runtime.file, join(mirror, `${RUNTIME}-v13.0.1`, basename(runtime.file)));
        expect((await runCli(["update", "--registry", registry, "--runtime", RUNTIME, "--version", "13.0.1", "--packages-dir", join(root, "runtimes")])).code).toBe(0);
      }
    }
    for (const file of files) {
      await mkdir(join(mirror, `hello-v${version}`), { recursive: true });
      await copyFile(file, join(mirror, `hello-v${version}`, basename(file)));
    }
    const r = await runCli(["update", "--registry", registry, "--engine", "hello", "--version", version, "--packages-dir", packages]);
    expect(r.code, r.stderr).toBe(0);
  }
  server = await startPackageServer(mirror);
}, 900_000);
afterAll(() => server?.close());

const base = () => `${server.url}/ok`;
const install = (dir: string, ref: string, accel = "cpu", extra: string[] = []) =>
  runCli(["install", "--registry", registry, "--engine", ref, ...linux, "--accel", accel, "--base-url", base(), "--engines-dir", dir, ...extra]);
const cli = (dir: string, args: string[]) => runCli([...args, "--engines-dir", dir]);

interface Row {
  engineId: string;
  version: string;
  platform: string;
  size: number;
  active: boolean;
  pinned: boolean;
  newer: string | null;
  runtime: { id: string; version: string | null } | null;
}
interface Report {
  engines: Row[];
  runtimes: { id: string; version: string; linkedBy: number; size: number }[];
  strays: { dir: string; reason: string }[];
  missing: unknown[];
}

async function installed(dir: string): Promise<Report> {
  const r = await runCli(["installed", "--engines-dir", dir, "--registry", registry, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}
const activeOf = (report: Report) => report.engines.filter((e) => e.active).map((e) => `${e.version} ${e.platform}${e.pinned ? " pinned" : ""}`);

async function activeRecord(dir: string) {
  const parsed = safeParseActiveRecord(JSON.parse(await readFile(join(dir, "active.json"), "utf8")));
  if (!parsed.ok) throw new Error(parsed.issues.join("; "));
  return parsed.value;
}

describe("versions side by side, an active version, use, rollback", () => {
  it("installs 0.1.0 then 0.2.0 beside it: the first install is active, the update becomes active", async () => {
    const dir = join(root, "engines-a");
    const first = await install(dir, "hello@0.1.0");
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("  active: first install: active");
    const second = await install(dir, "hello@0.2.0");
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain("  active: active (was 0.1.0 linux-x86_64-cpu)");
    const report = await installed(dir);
    expect(report.engines.map((e) => [e.version, e.platform, e.active, e.newer])).toEqual([
      ["0.1.0", "linux-x86_64-cpu", false, "0.3.0"],
      ["0.2.0", "linux-x86_64-cpu", true, "0.3.0"],
    ]);
    expect(report.engines.every((e) => e.size > 0 && e.runtime === null)).toBe(true);
    // The index by its URL, as install reads it.
    const byUrl = await runCli(["installed", "--engines-dir", dir, "--registry", pathToFileURL(registry).href, "--json"]);
    expect(byUrl.code, byUrl.stderr).toBe(0);
    expect((JSON.parse(byUrl.stdout) as Report).engines.map((e) => e.newer)).toEqual(["0.3.0", "0.3.0"]);
    const record = await activeRecord(dir);
    expect(record.engines["hello"]!["linux-x86_64"]).toMatchObject({ version: "0.2.0", platform: "linux-x86_64-cpu", pinned: false, previous: [{ version: "0.1.0", platform: "linux-x86_64-cpu" }], reason: "update" });
  });

  it("use pins a version: a later update installs beside it and leaves it active; use @latest unpins; rollback goes back", async () => {
    const dir = join(root, "engines-a");
    const use = await cli(dir, ["use", "hello@0.1.0", ...linux]);
    expect(use.code, use.stderr).toBe(0);
    expect(use.stdout).toBe("hello on linux-x86_64: 0.2.0 linux-x86_64-cpu -> 0.1.0 linux-x86_64-cpu, pinned\n");
    const update = await install(dir, "hello");
    expect(update.code, update.stderr).toBe(0);
    expect(update.stdout).toContain("installed: hello 0.3.0");
    expect(update.stdout).toContain("  active: not activated: hello is pinned to 0.1.0 (use hello@latest to follow updates, or use hello@0.3.0)");
    expect(activeOf(await installed(dir))).toEqual(["0.1.0 linux-x86_64-cpu pinned"]);
    const latest = await cli(dir, ["use", "hello@latest", ...linux]);
    expect(latest.stdout).toBe("hello on linux-x86_64: 0.1.0 linux-x86_64-cpu -> 0.3.0 linux-x86_64-cpu, following updates (unpinned)\n");
    const back = await cli(dir, ["rollback", "hello", ...linux]);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain("hello on linux-x86_64: 0.3.0 linux-x86_64-cpu -> 0.1.0 linux-x86_64-cpu (rolled back, pinned");
    expect(activeOf(await installed(dir))).toEqual(["0.1.0 linux-x86_64-cpu pinned"]);
    const notInstalled = await cli(dir, ["use", "hello@0.9.0", ...linux]);
    expect(notInstalled.code).toBe(1);
    expect(notInstalled.stderr).toContain("error: hello 0.9.0 is not installed for linux-x86_64 (installed: 0.3.0, 0.2.0, 0.1.0)");
  });

  it("remove refuses the active version unless --force, which activates the previous one; prune --keep 1 keeps the active and the newest other", async () => {
    const dir = join(root, "engines-a");
    const refused = await cli(dir, ["remove", "hello@0.1.0"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("error: hello 0.1.0 linux-x86_64-cpu is the active version");
    const dry = await cli(dir, ["prune", "--keep", "1", "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^would remove hello 0\.2\.0 linux-x86_64-cpu \(\d+ bytes\): .*\nwould free .* \((\d+) bytes\)\n$/);
    expect(existsSync(join(dir, "hello", "0.2.0"))).toBe(true);
    const prune = await cli(dir, ["prune", "--keep", "1", "--json"]);
    const result = JSON.parse(prune.stdout) as { removals: { version: string }[]; bytesFreed: number };
    expect(result.removals.map((r) => r.version)).toEqual(["0.2.0"]);
    expect(result.bytesFreed).toBe(Number(/\((\d+) bytes\)\n$/.exec(dry.stdout)![1]));
    expect((await readdir(join(dir, "hello"))).sort()).toEqual(["0.1.0", "0.3.0"]);
    const forced = await cli(dir, ["remove", "hello@0.1.0", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain("hello on linux-x86_64: 0.1.0 linux-x86_64-cpu -> 0.3.0 linux-x86_64-cpu (the removed version was active)");
    expect(activeOf(await installed(dir))).toEqual(["0.3.0 linux-x86_64-cpu pinned"]);
    expect(await readdir(join(dir, "hello"))).toEqual(["0.3.0"]);
    expect(existsSync(join(dir, ".trash"))).toBe(false);
  });

  it("a folder deleted by hand is gone from installed; half-installed and foreign folders are named, not trusted", async () => {
    const dir = join(root, "engines-b");
    for (const v of ["0.1.0", "0.2.0"]) expect((await install(dir, `hello@${v}`)).code).toBe(0);
    await rm(join(dir, "hello", "0.1.0"), { recursive: true });
    await mkdir(join(dir, "hello", "0.2.0", ".linux-x86_64-cuda13.installing-4242-abcd1234"));
    await mkdir(join(dir, "hello", "9.9.9", "linux-x86_64-cpu"), { recursive: true });
    await writeFile(join(dir, "hello", "9.9.9", "linux-x86_64-cpu", "notes.txt"), "not a package");
    // The cache of an index read from its URL is the tool's own, not a stray.
    await mkdir(join(dir, "registries", "127.0.0.1_8765-0a1b2c3d", "index"), { recursive: true });
    // So is the lock folder a killed command left (the next command takes it over).
    await mkdir(join(dir, "active.json.lock"));
    const r = await runCli(["installed", "--engines-dir", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ENGINE\s+VERSION\s+PLATFORM\s+SIZE\s+RUNTIME\s+ACTIVE\s+NEWER\n[- ]+\nhello\s+0\.2\.0\s+linux-x86_64-cpu\s+\S+ \S+\s+-\s+active\n$/);
    expect(r.stderr).toContain(`warning: ${join(dir, "hello", "0.2.0", ".linux-x86_64-cuda13.installing-4242-abcd1234")}: half-installed`);
    expect(r.stderr).toContain(`warning: ${join(dir, "hello", "9.9.9", "linux-x86_64-cpu")}: no manifest.json (not an installed package); not counted as installed`);
    expect(r.stderr).not.toContain(join(dir, "registries"));
    expect(r.stderr).not.toContain("active.json.lock");
    // The active version deleted by hand: named, and the next install takes its place.
    await rm(join(dir, "hello", "0.2.0", "linux-x86_64-cpu"), { recursive: true });
    const gone = await runCli(["installed", "--engines-dir", dir, "--json"]);
    expect(JSON.parse(gone.stdout).missing).toEqual([{ engineId: "hello", osArch: "linux-x86_64", version: "0.2.0", platform: "linux-x86_64-cpu" }]);
    const again = await install(dir, "hello@0.1.0");
    expect(again.stdout).toContain("  active: active (the active 0.2.0 linux-x86_64-cpu is no longer installed)");
  });
});

describe("runtime packs go with the last engine that links them", () => {
  it("kept while an installed engine links it, removed with the last one; a CPU package never replaces the active GPU one", async () => {
    const dir = join(root, "engines-gpu");
    for (const v of GPU_VERSIONS) {
      const r = await install(dir, `hello@${v}`, "cuda13");
      expect(r.code, r.stderr).toBe(0);
    }
    const cpu = await install(dir, "hello@0.3.0", "cpu");
    expect(cpu.stdout).toContain("  active: not activated: a cpu package does not replace the active GPU one (linux-x86_64-cuda13); use hello@0.3.0 --accel cpu to switch");
    let report = await installed(dir);
    expect(activeOf(report)).toEqual(["0.2.0 linux-x86_64-cuda13"]);
    expect(report.runtimes.map((r) => [r.id, r.version, r.linkedBy])).toEqual([[RUNTIME, "13.0.1", 2]]);
    expect(report.engines.filter((e) => e.runtime).map((e) => [e.version, e.runtime])).toEqual([
      ["0.1.0", { id: RUNTIME, version: "13.0.1", how: "linked" }],
      ["0.2.0", { id: RUNTIME, version: "13.0.1", how: "linked" }],
    ]);
    const store = join(dir, "runtimes", RUNTIME, "13.0.1", "linux-x86_64");
    const one = await cli(dir, ["remove", "hello@0.1.0", "--accel", "cuda13", "--json"]);
    expect(JSON.parse(one.stdout).removals.map((r: { kind: string }) => r.kind)).toEqual(["engine"]);
    expect(JSON.parse(one.stdout).lines).toContain(`keep runtime ${RUNTIME} 13.0.1 linux-x86_64: still linked by an installed engine`);
    expect(existsSync(store)).toBe(true);
    const useCpu = await cli(dir, ["use", "hello@0.3.0", "--accel", "cpu", ...linux]);
    expect(useCpu.code, useCpu.stderr).toBe(0);
    const storeBytes = (await installed(dir)).runtimes[0]!.size;
    const dry = await cli(dir, ["remove", "hello@0.2.0", "--dry-run", "--json"]);
    const plan = JSON.parse(dry.stdout) as { removals: { kind: string; bytes: number }[]; bytesFreed: number };
    expect(plan.removals.map((r) => r.kind)).toEqual(["engine", "runtime"]);
    // The engine's hard-linked copy of the runtime library is freed only together with the store.
    expect(plan.bytesFreed).toBe(plan.removals[0]!.bytes + storeBytes - (await stat(join(store, "libs", "libhellort.so.1"))).size);
    const last = await cli(dir, ["remove", "hello@0.2.0"]);
    expect(last.code, last.stderr).toBe(0);
    expect(existsSync(join(dir, "runtimes", RUNTIME))).toBe(false);
    report = await installed(dir);
    expect(report.runtimes).toEqual([]);
    expect(activeOf(report)).toEqual(["0.3.0 linux-x86_64-cpu pinned"]);
  });

  it("prune takes a damaged store no engine links and a dead runtime install's leftover; a damaged store an engine still links stays, said so", async () => {
    const dir = join(root, "engines-runtime-strays");
    expect((await install(dir, "hello@0.1.0", "cuda13")).code).toBe(0);
    const versionDir = join(dir, "runtimes", RUNTIME, "13.0.1");
    const store = join(versionDir, "linux-x86_64");
    // A copy (new inodes: nothing links it) of another version, its manifest gone.
    const orphan = join(dir, "runtimes", RUNTIME, "13.0.0", "linux-x86_64");
    await cp(store, orphan, { recursive: true });
    await rm(join(orphan, "manifest.json"));
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    const leftover = join(versionDir, `.linux-x86_64.installing-${dead}-0badc0de`);
    await mkdir(leftover);
    await writeFile(join(leftover, "part"), "x".repeat(1000));
    // The installed engine's own store, damaged too: its library stays hard-linked into the engine.
    const manifest = await readFile(join(store, "manifest.json"));
    await rm(join(store, "manifest.json"));
    const dry = await cli(dir, ["prune", "--dry-run"]);
    expect(dry.stdout).toMatch(new RegExp(`would remove runtime ${RUNTIME} 13\\.0\\.0 linux-x86_64 \\(damaged: its manifest\\.json is missing; \\d+ bytes\\): ${orphan}\n`));
    expect(existsSync(orphan)).toBe(true);
    const prune = await cli(dir, ["prune"]);
    expect(prune.code, prune.stderr).toBe(0);
    expect(prune.stdout).toContain(`left ${store}: an installed engine still links it: the next install that needs it repairs it\n`);
    expect(prune.stdout).toContain(`remove runtime ${RUNTIME} 13.0.1 linux-x86_64 (left half-installed by an interrupted install; 1000 bytes): ${leftover}\n`);
    expect(existsSync(join(dir, "runtimes", RUNTIME, "13.0.0"))).toBe(false);
    expect(existsSync(leftover)).toBe(false);
    expect(existsSync(store)).toBe(true);
    await writeFile(join(store, "manifest.json"), manifest);
    const report = await installed(dir);
    expect(report.runtimes.map((r) => [r.version, r.linkedBy])).toEqual([["13.0.1", 1]]);
    expect(report.engines.map((e) => e.version)).toEqual(["0.1.0"]);
  });

  it("an update whose device probe finds no device stays uninstalled and inactive; the active one stays, with a message", async () => {
    const dir = join(root, "engines-probe");
    expect((await install(dir, "hello@0.1.0", "cuda13")).code).toBe(0);
    // The store still names libhellort.so.1, but as a library that is not the runtime (a new inode, so
    // 0.1.0 keeps its own hard link): the GPU module cannot load, and hello-server lists no device.
    const store = join(dir, "runtimes", RUNTIME, "13.0.1", "linux-x86_64");
    const library = join(store, "libs", "libhellort.so.1");
    await rm(library);
    const installedFiles = await readdir(join(dir, "hello", "0.1.0", "linux-x86_64-cuda13"), { recursive: true });
    const notTheRuntime = installedFiles.find((file) => /libhello-base\.so\.0$/.test(file));
    await copyFile(join(dir, "hello", "0.1.0", "linux-x86_64-cuda13", notTheRuntime!), library);
    const update = await install(dir, "hello@0.2.0", "cuda13");
    expect(update.code).toBe(1);
    expect(update.stderr).toContain("error: hello-server --list-devices lists no CUDA device");
    expect(update.stderr).toContain("warning: hello 0.2.0 was not installed; hello 0.1.0 (linux-x86_64-cuda13) stays the active version");
    expect(activeOf(await installed(dir))).toEqual(["0.1.0 linux-x86_64-cuda13"]);
    expect(existsSync(join(dir, "hello", "0.2.0"))).toBe(false);
  });
});

describe("what use @latest, rollback and a damaged record do", () => {
  const dir = () => join(root, "engines-latest");
  const errorOf = (r: { stdout: string }) => (JSON.parse(r.stdout) as { error: { code: string; exitCode: number; facts: Record<string, unknown> } }).error;

  it("use @latest keeps the active GPU folder kind: a newer CPU package is passed over, said so; with --registry a yanked or beta version is too", async () => {
    for (const v of GPU_VERSIONS) expect((await install(dir(), `hello@${v}`, "cuda13")).code).toBe(0);
    expect((await install(dir(), "hello@0.3.0", "cpu")).code).toBe(0);
    expect((await cli(dir(), ["use", "hello@0.1.0", ...linux])).code).toBe(0);
    const latest = await cli(dir(), ["use", "hello@latest", ...linux]);
    expect(latest.code, latest.stderr).toBe(0);
    expect(latest.stdout).toBe(
      "kept linux-x86_64-cuda13: 0.3.0 linux-x86_64-cpu is newer but another platform folder (use hello@0.3.0 --accel cpu to switch)\n" +
        "hello on linux-x86_64: 0.1.0 linux-x86_64-cuda13 -> 0.2.0 linux-x86_64-cuda13, following updates (unpinned)\n",
    );
    expect(activeOf(await installed(dir()))).toEqual(["0.2.0 linux-x86_64-cuda13"]);
    // Installed folders record no channel or yank: the index does. 0.2.0 yanked, then 0.2.0 a beta.
    const yanked = join(root, "engines-latest-yanked.json");
    await copyFile(registry, yanked);
    expect((await runCli(["yank", "hello@0.2.0", "--reason", "wrong CUDA kernels", "--registry", yanked])).code).toBe(0);
    const dry = await cli(dir(), ["use", "hello@latest", ...linux, "--registry", yanked, "--dry-run"]);
    expect(dry.stdout).toBe(
      "passed over hello 0.2.0: yanked in the index (wrong CUDA kernels)\n" +
        "kept linux-x86_64-cuda13: 0.3.0 linux-x86_64-cpu is newer but another platform folder (use hello@0.3.0 --accel cpu to switch)\n" +
        "would set hello on linux-x86_64: 0.2.0 linux-x86_64-cuda13 -> 0.1.0 linux-x86_64-cuda13, following updates (unpinned)\n",
    );
    const beta = join(root, "engines-latest-beta.json");
    const index = JSON.parse(await readFile(registry, "utf8"));
    index.engines[0].versions.find((v: { version: string }) => v.version === "0.2.0").channel = "beta";
    await writeFile(beta, JSON.stringify(index));
    const followed = await cli(dir(), ["use", "hello@latest", ...linux, "--registry", beta]);
    expect(followed.code, followed.stderr).toBe(0);
    expect(followed.stdout).toContain("passed over hello 0.2.0: on the index's beta channel, not stable\n");
    expect(activeOf(await installed(dir()))).toEqual(["0.1.0 linux-x86_64-cuda13"]);
    // Asked for by accelerator, the CPU build is taken.
    const cpu = await cli(dir(), ["use", "hello@latest", "--accel", "cpu", ...linux, "--dry-run"]);
    expect(cpu.stdout).toBe("would set hello on linux-x86_64: 0.1.0 linux-x86_64-cuda13 -> 0.3.0 linux-x86_64-cpu, following updates (unpinned)\n");
    // A version that has only a CPU build, asked for by version: switched, and said so.
    const asked = await cli(dir(), ["use", "hello@0.3.0", ...linux, "--dry-run"]);
    expect(asked.stdout).toBe(
      "0.3.0 is installed as a cpu build only: it replaces the active GPU linux-x86_64-cuda13 because that version was asked for (rollback hello goes back)\n" +
        "would set hello on linux-x86_64: 0.1.0 linux-x86_64-cuda13 -> 0.3.0 linux-x86_64-cpu, pinned\n",
    );
  });

  it("rollback takes an engine id alone: a version is a usage error pointing to use, and nothing changes", async () => {
    const before = await readFile(join(dir(), "active.json"), "utf8");
    const versioned = await cli(dir(), ["rollback", "hello@0.2.0", ...linux]);
    expect(versioned.code).toBe(2);
    expect(versioned.stderr).toBe('error: "hello@0.2.0": this command takes an engine id, not a version\n  hint: rollback goes back to the previously active version; to run a given one: use hello@0.2.0\n');
    const upper = await cli(dir(), ["rollback", "HELLO", ...linux]);
    expect(upper.code).toBe(2);
    expect(upper.stderr).toContain("hint: write <engine>, e.g. llama-cpp\n");
    const dry = await cli(dir(), ["rollback", "hello", ...linux, "--dry-run"]);
    expect(dry.stdout).toBe("would set hello on linux-x86_64: 0.1.0 linux-x86_64-cuda13 -> 0.2.0 linux-x86_64-cuda13 (rolled back, pinned; use hello@latest to follow updates again)\n");
    expect(await readFile(join(dir(), "active.json"), "utf8")).toBe(before);
  });

  it("a refusal has its own --json code and facts: not installed, unknown engine, the active version", async () => {
    const notInstalled = await cli(dir(), ["use", "hello@0.9.0", ...linux, "--json"]);
    expect(notInstalled.code).toBe(1);
    expect(errorOf(notInstalled)).toMatchObject({ code: "VERSION_NOT_INSTALLED", facts: { engineId: "hello", version: "0.9.0", accel: null, osArch: "linux-x86_64", installed: ["0.3.0", "0.2.0", "0.1.0"] } });
    const unknown = await cli(dir(), ["use", "nope@1.0.0", ...linux, "--json"]);
    expect(errorOf(unknown)).toMatchObject({ code: "ENGINE_NOT_INSTALLED", facts: { engineId: "nope", enginesDir: dir(), osArch: "linux-x86_64" } });
    const active = await cli(dir(), ["remove", "hello@0.1.0", "--json"]);
    expect(errorOf(active)).toMatchObject({ code: "ACTIVE_VERSION", facts: { engineId: "hello", version: "0.1.0", platform: "linux-x86_64-cuda13", osArch: "linux-x86_64" } });
    const accel = await cli(dir(), ["use", "hello@0.2.0", "--accel", "cpu", ...linux, "--json"]);
    expect(errorOf(accel)).toMatchObject({ code: "VERSION_NOT_INSTALLED", facts: { version: "0.2.0", accel: "cpu", installed: ["cuda13"] } });
  });

  it("an invalid or newer active record: installed still lists from disk with one warning; commands that write it refuse and change nothing", async () => {
    const file = join(dir(), "active.json");
    const good = await readFile(file, "utf8");
    const listing = async () => (await readdir(dir(), { recursive: true })).sort();
    const folders = await listing();
    const newer = JSON.stringify({ ...JSON.parse(good), format: 2, profiles: {} });
    for (const [text, code] of [[newer, "ACTIVE_RECORD_NEWER"], ['{"format": 1, "engines": 5}', "ACTIVE_RECORD_INVALID"], ["{not json", "ACTIVE_RECORD_INVALID"]] as const) {
      await writeFile(file, text);
      const list = await runCli(["installed", "--engines-dir", dir()]);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout.split("\n").filter((l) => l.startsWith("hello "))).toHaveLength(3);
      expect(list.stdout).not.toContain("active");
      const warnings = list.stderr.split("\n").filter((l) => l.startsWith("warning:"));
      expect(warnings).toHaveLength(1);
      if (code === "ACTIVE_RECORD_NEWER") {
        expect(warnings[0]).toBe(`warning: ${file} was written by a newer engine-registry (format 2; this one reads format 1); no version is shown as active (upgrade engine-registry to manage this engines folder; the file was left as it is)`);
      } else {
        expect(warnings[0]).toContain(`warning: ${file} is not a valid active record: `);
      }
      for (const args of [["use", "hello@0.2.0", ...linux], ["remove", "hello@0.3.0"], ["prune", "--keep", "0"], ["rollback", "hello", ...linux]]) {
        const r = await cli(dir(), [...args, "--json"]);
        expect(r.code, args.join(" ")).toBe(1);
        expect(errorOf(r)).toMatchObject({ code, facts: { file } });
        if (code === "ACTIVE_RECORD_NEWER") expect(errorOf(r).facts).toMatchObject({ format: 2, readable: 1 });
      }
      const plain = await cli(dir(), ["use", "hello@0.2.0", ...linux]);
      expect(plain.stderr.split("\n").filter((l) => l.startsWith("error:"))).toHaveLength(1);
      if (code === "ACTIVE_RECORD_NEWER") expect(plain.stderr).not.toContain("delete");
      expect(await readFile(file, "utf8")).toBe(text);
      expect(await listing()).toEqual(folders);
    }
    await writeFile(file, good);
  });
});

describe("damaged folders, prune's default, small refusals", () => {
  const dir = () => join(root, "engines-damaged");
  const cpuDir = (v: string) => join(dir(), "hello", v, "linux-x86_64-cpu");
  const breakServer = async (v: string) => {
    const manifest = JSON.parse(await readFile(join(cpuDir(v), "manifest.json"), "utf8")) as { serverBinary: string };
    await rm(join(cpuDir(v), manifest.serverBinary));
    return manifest.serverBinary;
  };

  it("remove of a version whose platform folder was damaged by hand removes it, saying it was damaged", async () => {
    for (const v of CPU_VERSIONS) expect((await install(dir(), `hello@${v}`)).code).toBe(0);
    const server = await breakServer("0.2.0");
    expect((await installed(dir())).strays.map((s) => s.dir)).toEqual([cpuDir("0.2.0")]);
    const dry = await cli(dir(), ["remove", "hello@0.2.0", "--accel", "cpu", "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`^would remove hello 0\\.2\\.0 linux-x86_64-cpu \\(damaged: its server ${server} is missing; \\d+ bytes\\): ${cpuDir("0.2.0")}\\nwould free .*\\n$`));
    const removed = await cli(dir(), ["remove", "hello@0.2.0", "--accel", "cpu"]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(existsSync(join(dir(), "hello", "0.2.0"))).toBe(false);
    expect((await installed(dir())).strays).toEqual([]);
  });

  it("prune removes damaged folders and leftovers of dead installs, never a live install's folder or the only copy of a platform", async () => {
    expect((await install(dir(), "hello@0.2.0")).code).toBe(0);
    await breakServer("0.1.0");
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    const version = join(dir(), "hello", "0.3.0");
    // This test's own process stands for a running install: the pid in the name is the installer's (installingPath).
    const live = installingPath(join(version, "linux-x86_64-cpu"));
    const leftovers = { dead: join(version, `.linux-x86_64-cpu.installing-${dead}-0badc0de`), live, aside: join(version, ".linux-x86_64-cpu.replaced-0123abcd"), only: join(version, ".linux-x86_64-cuda13.replaced-4567cdef") };
    for (const folder of Object.values(leftovers)) {
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, "part"), "x".repeat(1000));
    }
    const prune = await cli(dir(), ["prune", "--keep", "5"]);
    expect(prune.code, prune.stderr).toBe(0);
    expect(prune.stdout).toContain(`left ${live}: an install in progress (process ${process.pid} is running)\n`);
    expect(prune.stdout).toContain(`left ${leftovers.only}: the only copy of linux-x86_64-cuda13: the next install of that platform puts it back\n`);
    expect(prune.stdout).toContain(`remove hello 0.1.0 linux-x86_64-cpu (damaged: `);
    expect(prune.stdout).toContain(`remove hello 0.3.0 linux-x86_64-cpu (left half-installed by an interrupted install; 1000 bytes): ${leftovers.dead}\n`);
    expect(prune.stdout).toContain(`remove hello 0.3.0 linux-x86_64-cpu (a copy an interrupted --force install moved aside; 1000 bytes): ${leftovers.aside}\n`);
    expect(existsSync(join(dir(), "hello", "0.1.0"))).toBe(false);
    expect((await readdir(version)).sort()).toEqual([basename(leftovers.only), basename(live), "linux-x86_64-cpu"].sort());
    expect((await installed(dir())).engines.map((e) => e.version)).toEqual(["0.2.0", "0.3.0"]);
    for (const folder of [live, leftovers.only]) await rm(folder, { recursive: true });
  });

  it("prune --keep N --save records prune's default in the active record; --dry-run writes nothing", async () => {
    const record = join(dir(), "active.json");
    const before = await readFile(record, "utf8");
    const dry = await cli(dir(), ["prune", "--keep", "0", "--save", "--dry-run"]);
    expect(dry.stdout).toMatch(/^would remove hello 0\.2\.0 linux-x86_64-cpu \(\d+ bytes\): .*\nwould set prune's default --keep: 2 \(built in\) -> 0, saved in the active record\nwould free .*\n$/);
    expect(await readFile(record, "utf8")).toBe(before);
    const saved = await cli(dir(), ["prune", "--keep", "1", "--save"]);
    expect(saved.stdout).toBe("prune's default --keep: 2 (built in) -> 1, saved in the active record\n");
    expect((await activeRecord(dir())).keep).toBe(1);
    expect((await activeRecord(dir())).engines["hello"]).toEqual(JSON.parse(before).engines["hello"]);
    expect((await cli(dir(), ["prune", "--dry-run"])).stdout).toBe("nothing to do\n");
    expect((await cli(dir(), ["prune", "--keep", "0", "--dry-run"])).stdout).toMatch(/^would remove hello 0\.2\.0 /);
    // Saved into an engines folder that does not exist yet: it is made for the record alone.
    const fresh = join(root, "engines-fresh");
    expect((await cli(fresh, ["prune", "--keep", "3", "--save"])).stdout).toBe("prune's default --keep: 2 (built in) -> 3, saved in the active record\n");
    expect(await activeRecord(fresh)).toEqual({ format: 1, keep: 3, engines: {} });
    const noKeep = await cli(dir(), ["prune", "--save"]);
    expect(noKeep.code).toBe(2);
    expect(noKeep.stderr).toContain("error: --save records --keep N as prune's default: pass --keep too");
  });

  it("a damaged active version is removed like a removed active one: the previous one still installed takes its place", async () => {
    await breakServer("0.3.0");
    expect((await installed(dir())).missing).toEqual([{ engineId: "hello", osArch: "linux-x86_64", version: "0.3.0", platform: "linux-x86_64-cpu" }]);
    const prune = await cli(dir(), ["prune"]);
    expect(prune.code, prune.stderr).toBe(0);
    expect(prune.stdout).toContain("hello on linux-x86_64: 0.3.0 linux-x86_64-cpu -> 0.2.0 linux-x86_64-cpu (the removed version was active)\n");
    expect(activeOf(await installed(dir()))).toEqual(["0.2.0 linux-x86_64-cpu"]);
    expect(existsSync(join(dir(), "hello", "0.3.0"))).toBe(false);
  });

  it("small refusals: an engine not installed, an accelerator that is none; a use dry run prints no bytes line", async () => {
    const nope = await cli(dir(), ["prune", "--engine", "nope"]);
    expect(nope.code).toBe(1);
    expect(nope.stderr).toBe(`error: nope is not installed in ${dir()}\n  hint: \`engine-registry installed\` lists what is installed; to add it: install --engine nope\n`);
    const removeNope = await cli(dir(), ["remove", "nope@1.0.0"]);
    expect(removeNope.code).toBe(1);
    expect(removeNope.stderr).toContain("`engine-registry installed` lists what is installed");
    const bogus = await cli(dir(), ["use", "hello@0.2.0", "--accel", "bogus", ...linux]);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain('error: --accel "bogus": accelerator token "bogus" is not one of cpu, metal, vulkan, sycl, hip, cuda<major>, rocm<major>');
    const use = await cli(dir(), ["use", "hello@0.2.0", ...linux, "--dry-run"]);
    expect(use.stdout).toBe("would set hello on linux-x86_64: 0.2.0 linux-x86_64-cpu -> 0.2.0 linux-x86_64-cpu, pinned\n");
  });
});

describe("the index's history and the disk", () => {
  it("an install that would not fit is refused in one line before any byte is fetched", async () => {
    const dir = join(root, "engines-full");
    const index = JSON.parse(await readFile(registry, "utf8"));
    index.engines[0].packages.find((p: { accelerator: string }) => p.accelerator === "cpu").installedSize = 2 ** 52;
    const huge = join(root, "engines-huge.json");
    await writeFile(huge, JSON.stringify(index));
    const before = server.requests.length;
    const r = await runCli(["install", "--registry", huge, "--engine", "hello", ...linux, "--accel", "cpu", "--base-url", base(), "--engines-dir", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n").filter((l) => l.startsWith("error:"))).toEqual([expect.stringMatching(/^error: not enough free space in .*: the install needs 4096\.0 TiB \(hello-0\.3\.0-linux-x86_64-cpu\.baiengine download .* \+ hello-0\.3\.0-linux-x86_64-cpu\.baiengine extracted 4096\.0 TiB\), .* are free$/)]);
    expect(server.requests.length).toBe(before);
    expect(existsSync(join(dir, "hello"))).toBe(false);
  });

  it("the history the CLI published round-trips through validate, list, export and migrate", async () => {
    const index = JSON.parse(await readFile(registry, "utf8"));
    expect(index.engines[0].latestVersion).toBe("0.3.0");
    expect(index.engines[0].versions.map((v: { version: string; packages: unknown[] }) => [v.version, v.packages.length])).toEqual([["0.1.0", 2], ["0.2.0", 2], ["0.3.0", 1]]);
    const validate = await runCli(["validate", "--registry", registry]);
    expect(validate.code, validate.stderr).toBe(0);
    const list = await runCli(["list", "--registry", registry]);
    expect(list.stdout).toMatch(/hello\s+stable\s+0\.1\.0\s+linux-x86_64-cuda13/);
    const live = join(root, "packages.json");
    expect((await runCli(["export", "--format", "packages-json", "--registry", registry, "--out", live])).code).toBe(0);
    const exported = JSON.parse(await readFile(live, "utf8"));
    expect(exported.engines[0].latest.version).toBe("0.3.0");
    expect(exported.engines[0]).not.toHaveProperty("versions");
    const before = await readFile(registry, "utf8");
    const migrate = await runCli(["migrate", "--from", live, "--to", registry]);
    expect(migrate.code, migrate.stderr).toBe(0);
    // The engines and their history come back as they were (a runtime published without releaseDate gets the export's date).
    expect(JSON.parse(await readFile(registry, "utf8")).engines).toEqual(JSON.parse(before).engines);
  });

  it("a yanked version is passed over by install, and installs only by exact version, with a warning", async () => {
    const dir = join(root, "engines-yank");
    const copy = join(root, "engines-yank.json");
    await copyFile(registry, copy);
    const yank = await runCli(["yank", "hello@0.3.0", "--reason", "crashes on load", "--registry", copy]);
    expect(yank.code, yank.stderr).toBe(0);
    const r = await runCli(["install", "--registry", copy, "--engine", "hello", ...linux, "--accel", "cpu", "--base-url", base(), "--engines-dir", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("installed: hello 0.2.0");
    const warning = "warning: hello 0.3.0 is yanked (crashes on load); installing it because it was asked for by exact version";
    const dry = await runCli(["install", "--registry", copy, "--engine", "hello@0.3.0", ...linux, "--accel", "cpu", "--base-url", base(), "--engines-dir", dir, "--dry-run"]);
    expect(dry.stderr).toContain(warning);
    const exact = await runCli(["install", "--registry", copy, "--engine", "hello@0.3.0", ...linux, "--accel", "cpu", "--base-url", base(), "--engines-dir", dir]);
    expect(exact.code, exact.stderr).toBe(0);
    // Said before the download starts, not after it.
    expect(exact.stderr.indexOf(warning)).toBeGreaterThanOrEqual(0);
    expect(exact.stderr.indexOf(warning)).toBeLessThan(exact.stderr.indexOf("download, verify and extract"));
    // The active version, installed before the index withdrew it: installed names it, with the way off it.
    const listed = await runCli(["installed", "--engines-dir", dir, "--registry", copy]);
    expect(listed.stderr).toContain("warning: hello 0.3.0 linux-x86_64-cpu is yanked in the index (crashes on load); it is the active version: use hello@<version> to move off it");
    expect(listed.stderr).not.toContain("hello 0.2.0 linux-x86_64-cpu is yanked");
    const json = JSON.parse((await runCli(["installed", "--engines-dir", dir, "--registry", copy, "--json"])).stdout);
    expect(json.engines.map((e: { version: string; yanked: unknown }) => [e.version, e.yanked])).toEqual([
      ["0.2.0", null],
      ["0.3.0", { reason: "crashes on load", date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) }],
    ]);
    const unyank = await runCli(["unyank", "hello@0.3.0", "--registry", copy]);
    expect(unyank.stdout).toBe("hello 0.3.0: no longer yanked\n");
    expect((await runCli(["installed", "--engines-dir", dir, "--registry", copy])).stderr).not.toContain("yanked");
  });
});

/** Starts the CLI and returns the child, to be killed or awaited. */
function start(args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, CI: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stderr })));
  return { child, done };
}

/** Every installed folder whole, the record valid and naming an installed version, no stray left after the next command. */
async function expectConsistent(dir: string): Promise<void> {
  const record = await activeRecord(dir);
  const report = await installed(dir);
  expect(report.strays.filter((s) => !s.reason.startsWith("half-installed"))).toEqual([]);
  const active = record.engines["hello"]?.["linux-x86_64"];
  if (active) expect(report.engines.some((e) => e.version === active.version && e.platform === active.platform)).toBe(true);
}

describe("concurrency and crashes", () => {
  it("two processes, one removing and one installing at once, leave a consistent folder", async () => {
    const dir = join(root, "engines-race");
    for (const v of ["0.1.0", "0.2.0"]) expect((await install(dir, `hello@${v}`, "cuda13")).code).toBe(0);
    for (let round = 0; round < 3; round++) {
      const remove = start(["remove", "hello@0.1.0", "--accel", "cuda13", "--engines-dir", dir]);
      const add = start(["install", "--registry", registry, "--engine", "hello@0.1.0", ...linux, "--accel", "cpu", "--base-url", base(), "--engines-dir", dir, "--force"]);
      const [removed, added] = await Promise.all([remove.done, add.done]);
      expect(removed.code, removed.stderr).toBe(0);
      expect(added.code, added.stderr).toBe(0);
      await expectConsistent(dir);
      const report = await installed(dir);
      expect(report.engines.map((e) => `${e.version} ${e.platform}`).sort()).toEqual(["0.1.0 linux-x86_64-cpu", "0.2.0 linux-x86_64-cuda13"]);
      expect(report.runtimes.map((r) => r.linkedBy)).toEqual([1]);
      expect((await install(dir, "hello@0.1.0", "cuda13")).code).toBe(0);
    }
  });

  it("kill -9 during use and remove leaves a readable active record and whole folders", async () => {
    const dir = join(root, "engines-kill");
    for (const v of CPU_VERSIONS) expect((await install(dir, `hello@${v}`)).code).toBe(0);
    for (let round = 0; round < 8; round++) {
      const version = CPU_VERSIONS[round % 3]!;
      const args = round % 2 === 0 ? ["use", `hello@${version}`, ...linux] : ["remove", `hello@${version}`, "--force"];
      const run = start([...args, "--engines-dir", dir]);
      await new Promise((r) => setTimeout(r, 40 + round * 25));
      run.child.kill("SIGKILL");
      await run.done;
      await expectConsistent(dir);
      // The next command sweeps what the killed one left in .trash; a removed version is installed again.
      if (!existsSync(join(dir, "hello", version, "linux-x86_64-cpu"))) expect((await install(dir, `hello@${version}`)).code).toBe(0);
      expect((await cli(dir, ["use", "hello@latest", ...linux])).code).toBe(0);
      expect(existsSync(join(dir, ".trash"))).toBe(false);
    }
  });
});
