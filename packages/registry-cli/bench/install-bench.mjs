#!/usr/bin/env node
// Benchmarks `engine-registry install` from a loopback HTTP server against
// `curl -s URL | tee >(sha256sum) | tar xz` of the same URL, in the same run, rounds alternating:
// - engine: a >= 200 MB engine package: at most 1.15x the pipeline's time, peak memory under 100 MB;
// - runtime: a >= 400 MB runtime pack, `install --runtime`: at most 1.2x, under 150 MB.
// Peak memory is the install process's maxRSS (bench/report-max-rss.mjs); the pipeline's is the sum
// of its four processes' (GNU time, in the uncounted warm-up round). Exits 1 when a target is missed.
// - trust: the engine install with `--trust` (signed metadata checked) against the same install
//   unsigned, both reading the index by URL (bench/trust-bench.mjs): at most 1.05x.
// BENCH_INSTALL_MB / BENCH_RUNTIME_MB set the sizes, BENCH_ROUNDS the counted rounds, BENCH_ONLY one bench.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { enginePackage } from "./engine-package.mjs";
import { measureInstall, report, startServer } from "./install-kit.mjs";
import { runtimePackage } from "./runtime-package.mjs";
import { measureTrust } from "./trust-bench.mjs";

const cacheRoot = join(fileURLToPath(new URL(".", import.meta.url)), "..", "node_modules", ".cache", "registry-cli-install-bench");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TRUST_TARGET = 1.05;
const benches = [
  { name: "engine", make: enginePackage, mb: Number(process.env.BENCH_INSTALL_MB ?? 200), targets: { ratio: 1.15, rssMb: 100 } },
  { name: "runtime", make: runtimePackage, mb: Number(process.env.BENCH_RUNTIME_MB ?? 400), targets: { ratio: 1.2, rssMb: 150 } },
].filter((b) => !process.env.BENCH_ONLY || b.name === process.env.BENCH_ONLY);

async function sha256(file) {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest("hex");
}

const missed = [];
for (const bench of benches) {
  const cache = join(cacheRoot, bench.name);
  const pack = await bench.make(cache, bench.mb);
  const size = (await stat(pack.file)).size;
  const { server, baseUrl } = await startServer(cache);
  try {
    const registry = join(cache, "engines.json");
    await writeFile(registry, `${JSON.stringify(pack.registry(baseUrl, size, await sha256(pack.file)), null, 2)}\n`);
    const measured = await measureInstall({ url: pack.url(baseUrl), work: cache, rounds: ROUNDS, installArgs: (out) => pack.installArgs(registry, out) });
    missed.push(...report(bench.name, size, { cores: availableParallelism(), rounds: ROUNDS, ...measured }, bench.targets));
    if (bench.name === "engine" && (!process.env.BENCH_ONLY || process.env.BENCH_ONLY === "engine")) missed.push(...(await trustBench(cache, baseUrl, registry, size, pack)));
  } finally {
    server.close();
  }
}
/** The engine install with and without trust configured, in the same run (see trust-bench.mjs). */
async function trustBench(cache, baseUrl, registry, size, pack) {
  const installArgs = (url, out) => pack.installArgs(url, out);
  const trust = await measureTrust({ cache, baseUrl, registry, rounds: ROUNDS, installArgs });
  process.stdout.write(`${JSON.stringify({ bench: "trust", bytes: size, rounds: ROUNDS, ...trust, target: TRUST_TARGET })}\n`);
  process.stderr.write(`trust: install --trust ${(trust.signedMs / 1000).toFixed(2)} s vs unsigned ${(trust.plainMs / 1000).toFixed(2)} s on ${(size / 1e6).toFixed(0)} MB: ${trust.ratio}x (target <= ${TRUST_TARGET}x)\n`);
  return trust.ratio > TRUST_TARGET ? [`trust: time ratio ${trust.ratio}x is over the target ${TRUST_TARGET}x`] : [];
}

for (const line of missed) process.stderr.write(`MISSED ${line}\n`);
if (missed.length > 0) process.exitCode = 1;
