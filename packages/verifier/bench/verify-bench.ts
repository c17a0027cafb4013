/**
 * `pnpm bench`: verifyPackage on a ≥200 MB package of real binaries against `sha256sum f && tar tzf f`
 * on the same file in the same run (best of 3 each); reports the time ratio and the verifier's peak RSS.
 * Environment: BENCH_SIZE_MB (default 220), BENCH_DIR (default a temp folder, removed afterwards).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { verifyPackage } from "@baiengine/verifier";

const NAME = "llama-cpp-b4618-linux-x86_64-cpu.baiengine";
const MB = 1024 * 1024;

async function child(file: string): Promise<void> {
  const started = performance.now();
  const report = await verifyPackage(file);
  const ms = performance.now() - started;
  const usage = process.resourceUsage();
  process.stdout.write(
    JSON.stringify({ ms, maxRssKb: usage.maxRSS, ok: report.ok, findings: report.findings.length, codes: [...new Set(report.findings.map((f) => f.code))], uncompressed: report.uncompressedSize, entries: report.entries }),
  );
}

/** package/ with node as the server binary and system shared libraries in libs/ until the size is reached. */
function buildPackage(dir: string, targetBytes: number): string {
  const pkg = join(dir, "package");
  mkdirSync(join(pkg, "libs"), { recursive: true });
  copyFileSync(process.execPath, join(pkg, "llama-server"));
  let total = statSync(join(pkg, "llama-server")).size;
  const libDir = "/usr/lib/x86_64-linux-gnu";
  const libs = readdirSync(libDir)
    .filter((n) => /\.so(\.\d+)*$/.test(n))
    .map((n) => join(libDir, n))
    .filter((p) => {
      try {
        const st = statSync(p);
        return st.isFile() && st.size > 64 * 1024;
      } catch {
        return false;
      }
    })
    .sort();
  if (libs.length === 0) throw new Error(`no shared libraries found in ${libDir}`);
  for (let round = 0; total < targetBytes; round++) {
    for (const lib of libs) {
      if (total >= targetBytes) break;
      const name = round === 0 ? lib.split("/").pop()! : `r${round}-${lib.split("/").pop()!}`;
      copyFileSync(lib, join(pkg, "libs", name));
      total += statSync(lib).size;
    }
  }
  writeFileSync(
    join(pkg, "manifest.json"),
    JSON.stringify({ engineId: "llama-cpp", version: "b4618", accelerator: "cpu", acceleratorVersion: null, os: "linux", arch: "x86_64", serverBinary: "llama-server", modelFormats: ["gguf"], minAppVersion: "0.11.0" }, null, 2),
  );
  const file = join(dir, NAME);
  const compressor = spawnSync("pigz", ["--version"]).status === 0 ? ["-I", "pigz -6"] : ["-z"];
  execFileSync("tar", ["--owner=0", "--group=0", ...compressor, "-cf", file, "package"], { cwd: dir });
  rmSync(pkg, { recursive: true, force: true });
  return file;
}

function time(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

async function main(): Promise<void> {
  const sizeMb = Number(process.env["BENCH_SIZE_MB"] ?? 220);
  const dir = process.env["BENCH_DIR"] ?? mkdtempSync(join(tmpdir(), "verify-bench-"));
  const keep = Boolean(process.env["BENCH_DIR"]);
  try {
    const file = existsSync(join(dir, NAME)) ? join(dir, NAME) : buildPackage(dir, sizeMb * MB);
    const compressed = statSync(file).size;
    const self = fileURLToPath(import.meta.url);
    const baseline: number[] = [];
    const ours: { wall: number; maxRssKb: number; ok: boolean; findings: number; codes: string[]; uncompressed: number; entries: number }[] = [];
    for (let i = 0; i < 3; i++) {
      baseline.push(
        time(() => {
          const r = spawnSync("sh", ["-c", 'sha256sum "$1" >/dev/null && tar tzf "$1" >/dev/null', "sh", file]);
          if (r.status !== 0) throw new Error(`baseline failed: ${r.stderr}`);
        }),
      );
      let out = "";
      const wall = time(() => {
        const r = spawnSync(process.execPath, [self, "--child", file], { encoding: "utf8", maxBuffer: 16 * MB });
        if (r.status !== 0) throw new Error(`verifier child failed: ${r.stderr}`);
        out = r.stdout;
      });
      ours.push({ wall, ...JSON.parse(out) });
    }
    const bestBase = Math.min(...baseline);
    const bestOurs = Math.min(...ours.map((o) => o.wall));
    const peakMb = Math.max(...ours.map((o) => o.maxRssKb)) / 1024;
    const last = ours[ours.length - 1]!;
    const lines = [
      `package: ${(last.uncompressed / MB).toFixed(0)} MB uncompressed, ${(compressed / MB).toFixed(0)} MB compressed, ${last.entries} entries (report ok=${last.ok}, ${last.findings} findings${last.codes.length ? `: ${last.codes.join(", ")}` : ""})`,
      `baseline sha256sum + tar tzf: best ${bestBase.toFixed(0)} ms (runs ${baseline.map((t) => t.toFixed(0)).join(", ")})`,
      `verifyPackage (child process): best ${bestOurs.toFixed(0)} ms (runs ${ours.map((o) => o.wall.toFixed(0)).join(", ")})`,
      `time ratio verifier/baseline: ${(bestOurs / bestBase).toFixed(2)} (target <= 1.0)`,
      `peak RSS of the verifier: ${peakMb.toFixed(1)} MB (target < 100 MB)`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--child") await child(process.argv[3]!);
else await main();
