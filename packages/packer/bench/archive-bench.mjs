// Benchmark of the .baiengine writer against `tar --sort=name | gzip -6` + sha256sum, same run,
// same staged tree of real ELF binaries. Run after a build: `pnpm bench` (or `node bench/archive-bench.mjs`).
// Env: BENCH_MB (staged size, default 210), BENCH_RUNS (default 3), BENCH_LEVEL, BENCH_BLOCK_KIB.
import { spawnSync } from "node:child_process";
import { closeSync, copyFileSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const targetBytes = Number(process.env.BENCH_MB ?? 210) * 1024 * 1024;
const runs = Number(process.env.BENCH_RUNS ?? 3);
const level = Number(process.env.BENCH_LEVEL ?? 6);
const blockSize = Number(process.env.BENCH_BLOCK_KIB ?? 1024) * 1024;
const archiveModule = fileURLToPath(new URL("../dist/archive/index.js", import.meta.url));
const SOURCES = ["/usr/lib/x86_64-linux-gnu", "/usr/bin"];

function isElf(file) {
  const fd = openSync(file, "r");
  try {
    const magic = Buffer.alloc(4);
    return readSync(fd, magic, 0, 4, 0) === 4 && magic.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } finally {
    closeSync(fd);
  }
}

/**
 * Copies real ELF files (regular files of 16 KiB to 40 MiB, in name order, libraries first) under
 * package/libs/ until the tree holds targetBytes: a mix of sizes like a real engine package.
 */
function stage(dir) {
  const libs = join(dir, "package", "libs");
  mkdirSync(libs, { recursive: true });
  let total = 0;
  let count = 0;
  const seen = new Set();
  for (const source of SOURCES) {
    for (const name of readdirSync(source).sort()) {
      if (total >= targetBytes) break;
      const file = join(source, name);
      let stats;
      try {
        stats = lstatSync(file);
      } catch {
        continue;
      }
      if (!stats.isFile() || stats.size < 16 * 1024 || stats.size > 40 * 1024 * 1024 || seen.has(name) || !isElf(file)) continue;
      seen.add(name);
      copyFileSync(file, join(libs, name));
      total += stats.size;
      count++;
    }
  }
  if (total < targetBytes) throw new Error(`only ${total} bytes of ELF files found in ${SOURCES.join(", ")}`);
  writeFileSync(join(dir, "package", "manifest.json"), `${JSON.stringify({ id: "bench", version: "0.0.0" })}\n`);
  return { total, count };
}

function bestOf(label, fn) {
  let best;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const outcome = fn();
    const ms = performance.now() - started;
    if (!best || ms < best.ms) best = { ms, ...outcome };
    process.stderr.write(`  ${label} run ${i + 1}: ${(ms / 1000).toFixed(2)} s\n`);
  }
  return best;
}

function shellPipeline(dir, out, compressor) {
  const script = `set -euo pipefail; TIMEFORMAT="%3U %3S"; { time { tar --sort=name -cf - -C "$1" package | ${compressor} > "$2" && sha256sum "$2"; }; } 2>&3`;
  const child = spawnSync("bash", ["-c", `${script}`, "bench", dir, out], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe", "pipe"] });
  if (child.status !== 0) throw new Error(`${compressor} pipeline failed:\n${child.output[3]}`);
  // bash's `time` report (user and system seconds of the whole pipeline) is the last line on fd 3.
  const [user, system] = child.output[3].trim().split("\n").at(-1).split(" ").map(Number);
  return { size: lstatSync(out).size, sha256: child.stdout.split(" ")[0], rssMiB: null, cpuS: user + system };
}

const childScript = `
const { stagingEntries, writeReproducibleArchive } = await import(process.argv[1]);
const result = await writeReproducibleArchive(await stagingEntries(process.argv[2]), process.argv[3], {
  mtime: new Date(1700000000000), level: Number(process.argv[4]), blockSize: Number(process.argv[5]), compressor: process.argv[6],
});
const usage = process.resourceUsage();
process.stdout.write(JSON.stringify({ ...result, maxRSSKiB: usage.maxRSS, cpuS: (usage.userCPUTime + usage.systemCPUTime) / 1e6 }));
`;

function ours(dir, out, compressor = "auto") {
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", childScript, archiveModule, join(dir, "package"), out, String(level), String(blockSize), compressor], {
    encoding: "utf8",
  });
  if (child.status !== 0) throw new Error(`writeReproducibleArchive failed:\n${child.stderr}`);
  const result = JSON.parse(child.stdout);
  return { size: result.size, sha256: result.sha256, rssMiB: result.maxRSSKiB / 1024, cpuS: result.cpuS, compressor: result.compressor };
}

function hasCommand(name) {
  return spawnSync("bash", ["-c", `command -v ${name}`]).status === 0;
}

const work = mkdtempSync(join(tmpdir(), "baiengine-bench-"));
try {
  const staged = stage(work);
  const mib = (bytes) => (bytes / 1024 / 1024).toFixed(1);
  process.stderr.write(`staged ${staged.count} ELF files, ${mib(staged.total)} MiB; level ${level}, block ${blockSize / 1024} KiB, best of ${runs}\n`);
  const baseline = bestOf("tar | gzip -6 + sha256sum", () => shellPipeline(work, join(work, "baseline.tar.gz"), "gzip -6"));
  const shas = new Set();
  const mine = bestOf("writeReproducibleArchive", () => {
    const outcome = ours(work, join(work, "ours.baiengine"));
    shas.add(outcome.sha256);
    return outcome;
  });
  const check = spawnSync("gzip", ["-t", join(work, "ours.baiengine")]);
  // The default picks pigz when installed; also show Node's own zlib, the fallback.
  const nodeZlib = mine.compressor === "pigz" ? bestOf("writeReproducibleArchive (node zlib)", () => ours(work, join(work, "ours-node.baiengine"), "node")) : null;
  const pigz = hasCommand("pigz") ? bestOf("tar | pigz -6 + sha256sum", () => shellPipeline(work, join(work, "pigz.tar.gz"), "pigz -6")) : null;

  const rows = [
    ["", "time (s)", "cpu (s)", "size (MiB)", "peak RSS (MiB)"],
    ["tar | gzip -6 + sha256sum", (baseline.ms / 1000).toFixed(2), baseline.cpuS.toFixed(2), mib(baseline.size), "-"],
    [`writeReproducibleArchive (${mine.compressor})`, (mine.ms / 1000).toFixed(2), mine.cpuS.toFixed(2), mib(mine.size), mine.rssMiB.toFixed(1)],
  ];
  if (nodeZlib) rows.push(["writeReproducibleArchive (node zlib)", (nodeZlib.ms / 1000).toFixed(2), nodeZlib.cpuS.toFixed(2), mib(nodeZlib.size), nodeZlib.rssMiB.toFixed(1)]);
  if (pigz) rows.push(["tar | pigz -6 + sha256sum (reference)", (pigz.ms / 1000).toFixed(2), pigz.cpuS.toFixed(2), mib(pigz.size), "-"]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  console.log(`\n@baiengine/packer archive bench: ${mib(staged.total)} MiB of ELF binaries, level ${level}, ${blockSize / 1024} KiB blocks`);
  for (const row of rows) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  "));
  const timeRatio = mine.ms / baseline.ms;
  const sizeRatio = mine.size / baseline.size;
  const verdict = (ok) => (ok ? "ok" : "MISSED");
  console.log(`time ratio ${timeRatio.toFixed(3)} (target <= 0.5: ${verdict(timeRatio <= 0.5)})`);
  console.log(`size ratio ${sizeRatio.toFixed(4)} (target <= 1.0: ${verdict(sizeRatio <= 1)})`);
  console.log(`peak RSS ${mine.rssMiB.toFixed(1)} MiB of the node process (target < 150: ${verdict(mine.rssMiB < 150)}; pigz, when used, runs beside it holding about threads x 2 blocks)`);
  console.log(`load average at the end: ${loadavg().map((load) => load.toFixed(2)).join(" ")} on ${availableParallelism()} CPUs (times are wall clock; cpu is user+system of all threads/processes)`);
  console.log(`reproducible across ${runs} runs: ${shas.size === 1 ? "yes" : "NO"}; gzip -t: ${check.status === 0 ? "ok" : "FAILED"}`);
  // Missed speed/size targets are reported above; a broken or unreproducible archive is a failure.
  if (shas.size !== 1 || check.status !== 0) process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
