#!/usr/bin/env node
// Benchmarks `engine-registry update` on ~1 GB of packages against `sha256sum` of the same files, in
// the same run. Packages: 5 linux-x86_64 platforms (cpu, cuda12, cuda13, rocm6, vulkan) of one engine,
// each with a real ELF server binary and a ~270 MB real ELF shared library in libs/ (a small gcc-built
// .so carrying a fat data section, like CUDA fatbins: half random, half real machine code, so it
// compresses about like real engine libraries). Written with the packer's writeReproducibleArchive.
// The folder is cached in node_modules/.cache/registry-cli-bench. Target: update <= 1.2x sha256sum.
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { copyFile, mkdir, open, readdir, rm, stat, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stagingEntries, writeReproducibleArchive } from "@baiengine/packer";

const here = fileURLToPath(new URL(".", import.meta.url));
const cli = join(here, "..", "bin", "engine-registry.js");
const cache = join(here, "..", "node_modules", ".cache", "registry-cli-bench");
const packagesDir = join(cache, "packages");
const PLATFORMS = [
  ["cpu", null],
  ["cuda", "12.4"],
  ["cuda", "13.0"],
  ["rocm", "6.1"],
  ["vulkan", null],
];
const LIB_MB = Number(process.env.BENCH_LIB_MB ?? 270);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const VERSION = "0.5.0";

const token = (accel, v) => (v ? `${accel}${v.split(".")[0]}` : accel);
const filename = ([accel, v]) => `hello-${VERSION}-linux-x86_64-${token(accel, v)}.baiengine`;

async function makeLibrary(dir) {
  const lib = join(dir, "libggml-bench.so");
  await writeFile(join(dir, "lib.c"), "int ggml_bench_symbol(void) { return 42; }\n");
  execFileSync("gcc", ["-shared", "-fPIC", "-O2", "-o", lib, join(dir, "lib.c")]);
  // The payload: 1 MiB blocks alternating random bytes and real machine code (libc, repeated).
  const code = readFileSync(existsSync("/usr/lib/x86_64-linux-gnu/libc.so.6") ? "/usr/lib/x86_64-linux-gnu/libc.so.6" : process.execPath).subarray(0, 1 << 20);
  const payload = join(dir, "payload.bin");
  const handle = await open(payload, "w");
  for (let i = 0; i < LIB_MB; i++) await handle.write(i % 2 === 0 ? randomBytes(1 << 20) : code);
  await handle.close();
  execFileSync("objcopy", ["--add-section", `.bench_fatbin=${payload}`, "--set-section-flags", ".bench_fatbin=noload,readonly", lib]);
  await rm(payload);
  await rm(join(dir, "lib.c"));
  return lib;
}

async function ensurePackages() {
  const stamp = join(cache, `stamp-${LIB_MB}`);
  if (existsSync(stamp)) return;
  await rm(cache, { recursive: true, force: true });
  await mkdir(packagesDir, { recursive: true });
  const work = join(cache, "work");
  await mkdir(join(work, "package", "libs"), { recursive: true });
  const lib = await makeLibrary(join(work, "package", "libs"));
  await copyFile("/bin/true", join(work, "package", "llama-server"));
  process.stderr.write(`bench: library ${(await stat(lib)).size} bytes; writing ${PLATFORMS.length} packages\n`);
  for (const [accel, v] of PLATFORMS) {
    const manifest = { engineId: "hello", version: VERSION, accelerator: accel, acceleratorVersion: v, os: "linux", arch: "x86_64", serverBinary: "llama-server", modelFormats: ["gguf"], minAppVersion: "0.11.0" };
    await writeFile(join(work, "package", "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    const out = join(packagesDir, filename([accel, v]));
    await writeReproducibleArchive(await stagingEntries(join(work, "package")), out, { mtime: new Date(0), level: 6, concurrency: availableParallelism() });
  }
  await rm(work, { recursive: true, force: true });
  await writeFile(stamp, "");
}

function time(command, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(command, args, { encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

await ensurePackages();
const files = (await readdir(packagesDir)).filter((f) => f.endsWith(".baiengine")).map((f) => join(packagesDir, f));
let total = 0;
for (const f of files) total += (await stat(f)).size;
const registry = join(cache, "engines.json");
const emptyIndex = `${JSON.stringify({ schemaVersion: 1, lastUpdated: "2025-01-10T00:00:00Z", baseUrl: "https://example.invalid/releases/download", engines: [] }, null, 2)}\n`;

// Warm the page cache for both, then alternate.
time("sha256sum", files);
const base = [];
const update = [];
for (let round = 0; round < ROUNDS; round++) {
  base.push(time("sha256sum", files));
  await writeFile(registry, emptyIndex);
  update.push(time(process.execPath, [cli, "update", "--registry", registry, "--engine", "hello", "--version", VERSION, "--packages-dir", packagesDir, "--json"]));
}
const index = JSON.parse(readFileSync(registry, "utf8"));
if (index.engines[0]?.packages.length !== files.length) throw new Error("update did not record every package");
const result = {
  files: files.length,
  bytes: total,
  cores: availableParallelism(),
  rounds: ROUNDS,
  sha256sumMs: Math.round(median(base)),
  updateMs: Math.round(median(update)),
  ratio: Number((median(update) / median(base)).toFixed(2)),
  target: 1.2,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.stderr.write(`update ${result.updateMs} ms vs sha256sum ${result.sha256sumMs} ms on ${(total / 1e9).toFixed(2)} GB: ${result.ratio}x (target <= 1.2x)\n`);
