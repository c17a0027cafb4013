// What the install benchmarks share: packages made of real ELF code, a loopback release host, and
// rounds that time `engine-registry install` against `curl -s URL | tee >(sha256sum) | tar xz` of the
// same URL in the same run, with both sides' peak memory. Used by install-bench.mjs.
import { execFileSync, spawn } from "node:child_process";
import { closeSync, createReadStream, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { mkdir, open, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
export const cli = join(here, "..", "bin", "engine-registry.js");
const rssHook = join(here, "report-max-rss.mjs");
const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

function isElf(file) {
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    return head.equals(ELF_MAGIC);
  } finally {
    closeSync(fd);
  }
}

/** Real ELF shared libraries (at least 1 MB) under `roots`, largest first: `{ f, size }`. */
export function elfLibraries(roots) {
  const found = execFileSync("bash", ["-c", `find ${roots.map((r) => `'${r}'`).join(" ")} -xdev -type f -name '*.so*' -size +1M 2>/dev/null || true`], { encoding: "utf8" });
  return found
    .split("\n")
    .filter(Boolean)
    .filter(isElf)
    .map((f) => ({ f, size: statSync(f).size }))
    .sort((a, b) => b.size - a.size);
}

/**
 * A gcc-built .so (soname `soname` when given) whose `.bench_fatbin` section is `megabytes` MB of the
 * `sources` files concatenated from `sources[first]` on: real code, so it compresses as real libraries do.
 */
export async function makeLibrary(dir, name, sources, first, megabytes, soname) {
  const lib = join(dir, name);
  await writeFile(join(dir, "lib.c"), `int ${name.replace(/\W/g, "_")}(void) { return 42; }\n`);
  execFileSync("gcc", ["-shared", "-fPIC", "-O2", ...(soname ? [`-Wl,-soname,${soname}`] : []), "-o", lib, join(dir, "lib.c")]);
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

/** Serves `{root}/{tag}/{file}` on 127.0.0.1 as a release host would (no Range needed here). */
export async function startServer(root) {
  const server = createServer((req, res) => {
    const path = join(root, ...decodeURIComponent(req.url ?? "").split("/").filter(Boolean));
    if (!path.startsWith(root) || !existsSync(path) || !statSync(path).isFile()) return void res.writeHead(404).end();
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

/** `engine-registry <args>` as its own process; its wall time in ms. */
export function timedCli(args) {
  return timed(process.execPath, [cli, ...args]);
}

const GNU_TIME = "/usr/bin/time";

/**
 * The curl pipeline once with each of its processes under GNU time: the sum of their peak resident
 * sets (they run at the same time), MB; null without GNU time. Run in the uncounted warm-up round.
 */
async function baselinePeakMb(url, out, work) {
  if (!existsSync(GNU_TIME)) return null;
  const files = ["curl", "tee", "sha256sum", "tar"].map((n) => join(work, `rss-${n}`));
  await Promise.all(files.map((f) => rm(f, { force: true })));
  const t = (i) => `${GNU_TIME} -f %M -o '${files[i]}'`;
  await timed("bash", ["-c", `set -o pipefail; ${t(0)} curl -sf "${url}" | ${t(1)} tee >(${t(2)} sha256sum > /dev/null) | ${t(3)} tar xz -C "${out}"`]);
  // bash does not wait for the process substitution: give sha256sum's report a moment.
  for (let i = 0; i < 100 && !files.every(existsSync); i++) await new Promise((r) => setTimeout(r, 20));
  const kib = await Promise.all(files.map(async (f) => Number((await readFile(f, "utf8")).trim().split("\n").pop())));
  return Math.round(kib.reduce((a, b) => a + b, 0) / 1024);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Rounds of the curl pipeline and of `engine-registry <installArgs>`, alternating, each into an emptied
 * `{work}/out`; round 0 warms the page cache and the server and measures the baseline's memory, and
 * is not counted. Returns medians (ms), the install's peak memory over the rounds (maxRSS, MB) and the
 * baseline's (MB, or null).
 */
export async function measureInstall({ url, work, rounds, installArgs }) {
  const out = join(work, "out");
  const rssFile = join(work, "maxrss");
  const base = [];
  const install = [];
  const rss = [];
  let baselineMb = null;
  for (let round = 0; round <= rounds; round++) {
    await rm(out, { recursive: true, force: true });
    await mkdir(out, { recursive: true });
    if (round === 0) baselineMb = await baselinePeakMb(url, out, work);
    const b = await timed("bash", ["-c", `set -o pipefail; curl -sf "${url}" | tee >(sha256sum > /dev/null) | tar xz -C "${out}"`]);
    await rm(out, { recursive: true, force: true });
    const i = await timed(process.execPath, ["--import", rssHook, cli, ...installArgs(out)], { ...process.env, BENCH_MAX_RSS_FILE: rssFile });
    if (round === 0) continue;
    base.push(b);
    install.push(i);
    rss.push(Number(readFileSync(rssFile, "utf8")) / 1024);
  }
  await rm(out, { recursive: true, force: true });
  return { curlTeeTarMs: Math.round(median(base)), installMs: Math.round(median(install)), peakRssMb: Math.round(Math.max(...rss)), baselinePeakRssMb: baselineMb };
}

/**
 * One bench's result line (JSON on stdout, a sentence on stderr) and its verdict: the list of missed
 * targets, each a sentence (empty when both are met).
 */
export function report(name, bytes, measured, targets) {
  const ratio = Number((measured.installMs / measured.curlTeeTarMs).toFixed(2));
  const result = { bench: name, bytes, ...measured, ratio, target: targets.ratio, rssTargetMb: targets.rssMb };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  const baseline = measured.baselinePeakRssMb === null ? "" : ` (curl|tee|tar ${measured.baselinePeakRssMb} MB)`;
  process.stderr.write(
    `${name}: install ${(measured.installMs / 1000).toFixed(2)} s vs curl|tee(sha256sum)|tar xz ${(measured.curlTeeTarMs / 1000).toFixed(2)} s on ${(bytes / 1e6).toFixed(0)} MB: ${ratio}x (target <= ${targets.ratio}x); peak memory ${measured.peakRssMb} MB (target < ${targets.rssMb} MB)${baseline}\n`,
  );
  const missed = [];
  if (ratio > targets.ratio) missed.push(`${name}: time ratio ${ratio}x is over the target ${targets.ratio}x`);
  if (measured.peakRssMb >= targets.rssMb) missed.push(`${name}: peak memory ${measured.peakRssMb} MB is not under the target ${targets.rssMb} MB`);
  return missed;
}

/**
 * The release asset `{cache}/{tag}/{filename}`, made by `make(file)` unless the stamp of this size says
 * it is there; `make` returns the size it wrote, which must reach `targetMb`. Returns the file's path.
 */
export async function cachedPackage(cache, tag, filename, targetMb, make) {
  const file = join(cache, tag, filename);
  const stamp = join(cache, `stamp-${targetMb}-${filename}`);
  if (existsSync(stamp)) return file;
  await rm(cache, { recursive: true, force: true });
  await mkdir(join(cache, tag), { recursive: true });
  const size = await make(file);
  if (size < targetMb * 1e6) throw new Error(`the bench package ${filename} came out at ${size} bytes, under ${targetMb} MB`);
  await writeFile(stamp, "");
  return file;
}

/** engines.json of a bench registry at `baseUrl`. */
export function benchIndex(baseUrl, { engines = [], runtimes }) {
  return { schemaVersion: 1, lastUpdated: "2025-01-10T00:00:00Z", baseUrl, engines, ...(runtimes ? { runtimes } : {}) };
}
