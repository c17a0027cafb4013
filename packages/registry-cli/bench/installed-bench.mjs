#!/usr/bin/env node
// Benchmarks `engine-registry installed --json` on an engines folder of 100 installed versions
// (each a llama.cpp-shaped platform folder: manifest, server, 24 libraries of real ELF bytes, 2 MB)
// against `du -sb` of the same folder, in the same run, rounds alternating. Both walk every file;
// `installed` also reads and validates each manifest and the active record. The ratio is the time
// the 100 versions add (`installed` on them less `installed` on an empty engines folder: Node's
// start-up and the modules, in the same rounds) over du's. Target: at most 20x. Exits 1 when missed.
// BENCH_VERSIONS sets the number of versions, BENCH_ROUNDS the counted rounds.
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, elfLibraries } from "./install-kit.mjs";

const VERSIONS = Number(process.env.BENCH_VERSIONS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const LIBRARIES = 24;
const TARGET = 20;

/** `bytes` bytes of a real library from `offset`: files that look like an engine's, not zeros. */
function slice(source, offset, bytes) {
  const fd = openSync(source, "r");
  try {
    const buffer = Buffer.alloc(bytes);
    readSync(fd, buffer, 0, bytes, offset % Math.max(1, statSync(source).size - bytes));
    return buffer;
  } finally {
    closeSync(fd);
  }
}

async function layOut(dir) {
  const sources = elfLibraries(["/usr/lib"]);
  if (sources.length === 0) throw new Error("no ELF libraries found under /usr/lib");
  for (let v = 0; v < VERSIONS; v++) {
    const version = `b${5000 + v}`;
    const platform = join(dir, "llama-cpp", version, "linux-x86_64-cpu");
    await mkdir(join(platform, "libs"), { recursive: true });
    const manifest = { engineId: "llama-cpp", version, accelerator: "cpu", acceleratorVersion: null, os: "linux", arch: "x86_64", serverBinary: "llama-server", modelFormats: ["gguf"], minAppVersion: "0.11.0" };
    await writeFile(join(platform, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    await writeFile(join(platform, "llama-server"), slice(sources[0].f, v * 4096, 256 * 1024), { mode: 0o755 });
    for (let n = 0; n < LIBRARIES; n++) await writeFile(join(platform, "libs", `libggml-part-${n}.so`), slice(sources[n % sources.length].f, v * 8192, 80 * 1024));
  }
  const latest = { version: `b${5000 + VERSIONS - 1}`, platform: "linux-x86_64-cpu" };
  const previous = [{ version: `b${5000 + VERSIONS - 2}`, platform: "linux-x86_64-cpu" }];
  const active = { format: 1, engines: { "llama-cpp": { "linux-x86_64": { ...latest, pinned: false, previous, since: new Date(0).toISOString(), reason: "update" } } } };
  await writeFile(join(dir, "active.json"), `${JSON.stringify(active, null, 2)}\n`);
}

const seconds = (command, args) => {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
  return { s: Number(process.hrtime.bigint() - started) / 1e9, stdout: result.stdout.toString() };
};

const dir = join(tmpdir(), `baiengine-installed-bench-${process.pid}`);
try {
  await layOut(dir);
  const empty = join(dir, "..", `${dir.split("/").at(-1)}-empty`);
  await mkdir(empty, { recursive: true });
  const times = { installed: [], du: [], empty: [] };
  let listed = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    const installed = seconds(process.execPath, [cli, "installed", "--engines-dir", dir, "--json"]);
    const du = seconds("du", ["-sb", dir]);
    const none = seconds(process.execPath, [cli, "installed", "--engines-dir", empty, "--json"]);
    listed = JSON.parse(installed.stdout).engines.length;
    if (round === 0) continue; // warm-up: the page cache and Node's compile cache
    times.installed.push(installed.s);
    times.du.push(du.s);
    times.empty.push(none.s);
  }
  if (listed !== VERSIONS) throw new Error(`installed listed ${listed} versions, the folder has ${VERSIONS}`);
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const [installedS, duS, emptyS] = [median(times.installed), median(times.du), median(times.empty)];
  const ratio = Number(((installedS - emptyS) / duS).toFixed(2));
  const bytes = Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split("\t")[0]);
  process.stdout.write(`${JSON.stringify({ bench: "installed", versions: VERSIONS, files: VERSIONS * (LIBRARIES + 2), bytes, rounds: ROUNDS, installedMs: Math.round(installedS * 1000), emptyFolderMs: Math.round(emptyS * 1000), duMs: Math.round(duS * 1000), ratio, target: TARGET })}\n`);
  process.stderr.write(`installed: ${VERSIONS} versions in ${(installedS * 1000).toFixed(0)} ms (${(emptyS * 1000).toFixed(0)} ms on an empty folder) vs du -sb ${(duS * 1000).toFixed(0)} ms: ${ratio}x du for what the versions add (target <= ${TARGET}x)\n`);
  if (ratio > TARGET) {
    process.stderr.write(`installed: ratio ${ratio}x is over the target ${TARGET}x\n`);
    process.exitCode = 1;
  }
} finally {
  await rm(dir, { recursive: true, force: true });
  await rm(join(dir, "..", `${dir.split("/").at(-1)}-empty`), { recursive: true, force: true });
}
