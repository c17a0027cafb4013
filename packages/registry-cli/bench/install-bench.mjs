#!/usr/bin/env node
// Benchmarks `engine-registry install` of a >= 200 MB package from a loopback HTTP server against
// `curl -s URL | tee >(sha256sum) | tar xz` of the same URL, in the same run, rounds alternating.
// The package: /bin/true as llama-server plus three gcc-built ELF shared libraries carrying a fat data
// section made of concatenated copies of this machine's real ELF libraries (/usr/lib, CUDA's when
// installed), so it compresses like a real GPU engine (not zeros). Written with the packer's
// reproducible archive writer; cached in node_modules/.cache/registry-cli-install-bench.
// Reports the time ratio (target <= 1.15x) and the install's peak memory (maxRSS, target < 100 MB).
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, createReadStream, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { mkdir, open, readdir, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stagingEntries, writeReproducibleArchive } from "@baiengine/packer";

const here = fileURLToPath(new URL(".", import.meta.url));
const cli = join(here, "..", "bin", "engine-registry.js");
const cache = join(here, "..", "node_modules", ".cache", "registry-cli-install-bench");
const TARGET_MB = Number(process.env.BENCH_INSTALL_MB ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const VERSION = "0.5.0";
const FILENAME = `hello-${VERSION}-linux-x86_64-cpu.baiengine`;
const TAG = `hello-v${VERSION}`;
const packageFile = join(cache, TAG, FILENAME);

/** Real ELF shared libraries of this machine, largest first (at least 1 MB each). */
function elfLibraries() {
  const out = execFileSync("bash", ["-c", "find /usr/lib /usr/local/cuda/lib64 -xdev -type f -name '*.so*' -size +1M 2>/dev/null"], { encoding: "utf8" });
  const isElf = (f) => {
    const fd = openSync(f, "r");
    const head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    closeSync(fd);
    return head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  };
  const files = out.split("\n").filter(Boolean).filter(isElf);
  return files.map((f) => ({ f, size: statSync(f).size })).sort((a, b) => b.size - a.size);
}

/** A gcc-built .so whose `.bench_fatbin` section is `megabytes` MB of real ELF libraries, concatenated from `sources[first]` on. */
async function makeLibrary(dir, name, sources, first, megabytes) {
  const lib = join(dir, name);
  await writeFile(join(dir, "lib.c"), `int ${name.replace(/\W/g, "_")}(void) { return 42; }\n`);
  execFileSync("gcc", ["-shared", "-fPIC", "-O2", "-o", lib, join(dir, "lib.c")]);
  const payload = join(dir, "payload.bin");
  const handle = await open(payload, "w");
  let written = 0;
  for (let i = 0; written < megabytes * 2 ** 20; i++) {
    const bytes = readFileSync(sources[(first + i) % sources.length].f);
    await handle.write(bytes);
    written += bytes.length;
  }
  await handle.close();
  execFileSync("objcopy", ["--add-section", `.bench_fatbin=${payload}`, "--set-section-flags", ".bench_fatbin=noload,readonly", lib]);
  await rm(payload);
  await rm(join(dir, "lib.c"));
}

async function ensurePackage() {
  const stamp = join(cache, `stamp-${TARGET_MB}-${FILENAME}`);
  if (existsSync(stamp)) return;
  await rm(cache, { recursive: true, force: true });
  const work = join(cache, "work");
  await mkdir(join(work, "package", "libs"), { recursive: true });
  await mkdir(join(cache, TAG), { recursive: true });
  const sources = elfLibraries();
  if (sources.length === 0) throw new Error("no ELF libraries found under /usr/lib");
  // Real libraries compress about 3:1 with gzip -6: aim the uncompressed size at 3.4x the target.
  const perLibraryMb = Math.ceil((TARGET_MB * 3.4) / 3);
  for (const n of [0, 1, 2]) await makeLibrary(join(work, "package", "libs"), `libggml-bench-${n}.so`, sources, n * 7, perLibraryMb);
  execFileSync("cp", ["/bin/true", join(work, "package", "llama-server")]);
  const manifest = { engineId: "hello", version: VERSION, accelerator: "cpu", acceleratorVersion: null, os: "linux", arch: "x86_64", serverBinary: "llama-server", modelFormats: ["gguf"], minAppVersion: "0.11.0" };
  await writeFile(join(work, "package", "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeReproducibleArchive(await stagingEntries(join(work, "package")), packageFile, { mtime: new Date(0), level: 6, concurrency: availableParallelism() });
  await rm(work, { recursive: true, force: true });
  const size = (await stat(packageFile)).size;
  if (size < TARGET_MB * 1e6) throw new Error(`the bench package came out at ${size} bytes, under ${TARGET_MB} MB: raise the factor`);
  await writeFile(stamp, "");
}

/** Serves `{cache}/{tag}/{file}` on 127.0.0.1, as a release host would (no Range needed here). */
async function startServer() {
  const server = createServer((req, res) => {
    const path = join(cache, ...decodeURIComponent(req.url ?? "").split("/").filter(Boolean));
    if (!path.startsWith(cache) || !existsSync(path)) return void res.writeHead(404).end();
    res.writeHead(200, { "content-length": statSync(path).size });
    createReadStream(path, { highWaterMark: 1 << 20 }).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, baseUrl: `http://127.0.0.1:${server.address().port}` };
}

/** Runs a command to completion (async: the server lives in this process); returns its wall time in ms. */
function timed(command, args, env = process.env) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"], env });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${command} ${args.join(" ")} failed (${code}): ${stderr}`));
      else resolve(ms);
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

await ensurePackage();
const size = (await stat(packageFile)).size;
const sha256 = createHash("sha256").update(readFileSync(packageFile)).digest("hex");
const { server, baseUrl } = await startServer();
const registry = join(cache, "engines.json");
const entry = { os: "linux", arch: "x86_64", accelerator: "cpu", acceleratorVersion: null, filename: FILENAME, size, sha256 };
await writeFile(registry, `${JSON.stringify({ schemaVersion: 1, lastUpdated: "2025-01-10T00:00:00Z", baseUrl, engines: [{ id: "hello", name: "Hello", description: "bench", latestVersion: VERSION, modelFormats: ["gguf"], packages: [entry] }] }, null, 2)}\n`);
const url = `${baseUrl}/${TAG}/${FILENAME}`;
const out = join(cache, "out");
const rssFile = join(cache, "maxrss");
const rssHook = join(here, "report-max-rss.mjs");

const base = [];
const install = [];
const rss = [];
for (let round = 0; round <= ROUNDS; round++) {
  // Round 0 warms the page cache and the server; it is not counted.
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const b = await timed("bash", ["-c", `set -o pipefail; curl -sf "${url}" | tee >(sha256sum > /dev/null) | tar xz -C "${out}"`]);
  await rm(out, { recursive: true, force: true });
  const args = ["--import", rssHook, cli, "install", "--registry", registry, "--engine", "hello", "--os", "linux", "--arch", "x86_64", "--accel", "cpu", "--engines-dir", out, "--json"];
  const i = await timed(process.execPath, args, { ...process.env, BENCH_MAX_RSS_FILE: rssFile });
  if (round === 0) continue;
  base.push(b);
  install.push(i);
  rss.push(Number(readFileSync(rssFile, "utf8")) / 1024);
}
await rm(out, { recursive: true, force: true });
server.close();

const result = {
  bytes: size,
  cores: availableParallelism(),
  rounds: ROUNDS,
  curlTeeTarMs: Math.round(median(base)),
  installMs: Math.round(median(install)),
  ratio: Number((median(install) / median(base)).toFixed(2)),
  target: 1.15,
  peakRssMb: Math.round(Math.max(...rss)),
  rssTargetMb: 100,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.stderr.write(
  `install ${result.installMs} ms vs curl|tee(sha256sum)|tar xz ${result.curlTeeTarMs} ms on ${(size / 1e6).toFixed(0)} MB: ${result.ratio}x (target <= 1.15x); peak memory ${result.peakRssMb} MB (target < 100 MB)\n`,
);
