import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type BinaryInfo, extractPackage, readBinaryFile, type VerifyReport } from "../packages/verifier/dist/index.js";
import { CROSS_CELLS, requireCrossTools } from "./cross/cross-cells.js";
import { serveEmulated } from "./cross/emulated-server.js";
import { unresolvedWindowsImports } from "./cross/windows-imports.js";
import { listFiles } from "./helpers/files.js";
import { stepTimer } from "./helpers/timings.js";
import { e2eCacheDir, llamaSource } from "./helpers/llama-source.js";
import { freePort, run, waitForHealthy } from "./helpers/processes.js";
import { tinyLlamaGguf } from "./helpers/tiny-llama.js";

if (process.env["BAIENGINE_E2E"] !== "1") throw new Error("the e2e suite runs through `pnpm test:e2e` (BAIENGINE_E2E=1)");

const repo = path.resolve(import.meta.dirname, "..");
const packEngine = path.join(repo, "packages", "packer", "bin", "pack-engine.js");
const verifyEngine = path.join(repo, "packages", "verifier", "bin", "verify-engine.js");
const MINGW_RUNTIME = ["libstdc++-6.dll", "libgcc_s_seh-1.dll", "libwinpthread-1.dll"];

describe("cross-built llama.cpp packages (linux-aarch64 under qemu-user, windows-x86_64 under wine), end to end", () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "baiengine-cross-e2e-"));
  const summary: Record<string, unknown> = {};
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
    if (Object.keys(summary).length > 0) {
      writeFileSync(path.join(e2eCacheDir(), "llama-cross-e2e-last.json"), `${JSON.stringify(summary, null, 2)}\n`);
      console.log(JSON.stringify(summary, null, 2));
    }
  });

  for (const cell of CROSS_CELLS) {
    const id = `${cell.os}-${cell.arch}`;
    it(`${id}: packs with ${cell.toolchain}, verifies (smoke under the emulator), extracts and serves a completion`, async () => {
      requireCrossTools(cell);
      const { timings, time } = stepTimer(`cross e2e ${id}`);
      const root = path.join(tmp, id);
      mkdirSync(root);
      const source = await time("source", llamaSource);

      // Pack: the same persistent cache as the cpu suite, so a re-run reuses the cross build folder.
      const packed = await time("pack", () =>
        run(
          process.execPath,
          [packEngine, "--os", cell.os, "--arch", cell.arch, "--accel", "cpu", "--source", source.dir, "--out", path.join(root, "out"), "--cache-dir", path.join(e2eCacheDir(), "packer"), "--json"],
          { cwd: root },
        ),
      );
      const result = JSON.parse(packed.stdout) as {
        file: string;
        size: number;
        sha256: string;
        timings: Record<string, number>;
        reusedBuild: boolean;
        manifest: { version: string; serverBinary: string; build?: { toolchain?: string; compiler?: string } };
      };
      expect(path.basename(result.file)).toBe(`llama-cpp-${result.manifest.version}-${id}-cpu.baiengine`);
      expect(result.manifest.serverBinary).toBe(cell.serverBinary);
      expect(result.manifest.build?.toolchain).toBe(cell.toolchain);

      // Verify through the CLI, with the server's --version run under the emulator.
      const verified = await time("verify", () => run(process.execPath, [verifyEngine, result.file, "--smoke", "--emulate", "--json"], { cwd: root }));
      const report = JSON.parse(verified.stdout) as VerifyReport & { smoke?: { runner?: string; note?: string } };
      expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.smoke?.ran, report.smoke?.skippedReason).toBe(true);
      expect(report.smoke?.runner).toBe(cell.emulate("x").command);
      expect(report.smoke?.output).toMatch(/version: \d+/);

      // Extract into a fresh folder and read every native file as the target's binary.
      const dest = path.join(root, "extracted");
      const extracted = await time("extract", () => extractPackage(result.file, dest));
      const pkg = path.join(dest, "package");
      const files = listFiles(pkg);
      expect(extracted.files).toContain(`package/${cell.serverBinary}`);
      const binaries: { path: string; info: BinaryInfo }[] = [];
      for (const file of files) {
        const info = await readBinaryFile(path.join(pkg, file));
        if (info) binaries.push({ path: file, info });
      }
      for (const { path: file, info } of binaries) {
        expect([info.format, info.machine, info.arch], file).toEqual([cell.format, cell.arch, cell.arch]);
      }
      const server = binaries.find((b) => b.path === cell.serverBinary);
      expect(server?.info.kind).toBe("executable");
      if (cell.format === "elf") {
        expect(server?.info.interpreter).toBe("/lib/ld-linux-aarch64.so.1");
        for (const { path: file, info } of binaries) {
          expect([...info.runpath, ...info.rpath].every((p) => p.startsWith("$ORIGIN")), `${file}: ${[...info.runpath, ...info.rpath].join(":")}`).toBe(true);
        }
      } else {
        // The mingw runtime DLLs ship beside the .exe, because something in the package imports them.
        expect(files).toEqual(expect.arrayContaining(MINGW_RUNTIME));
        const imported = new Set(binaries.flatMap((b) => b.info.needed.map((n) => n.toLowerCase())));
        for (const dll of MINGW_RUNTIME) expect(imported.has(dll.toLowerCase()), `${dll} is imported by a packaged binary`).toBe(true);
        expect(unresolvedWindowsImports(binaries, files)).toEqual([]);
      }

      // Serve the generated tiny GGUF on 127.0.0.1 through the emulator, from another folder, with a bare environment.
      const model = path.join(root, "tiny-llama.gguf");
      writeFileSync(model, tinyLlamaGguf());
      const elsewhere = path.join(root, "elsewhere");
      mkdirSync(elsewhere);
      const port = await freePort();
      const { command, args } = cell.emulate(path.join(pkg, cell.serverBinary));
      const served = serveEmulated(command, [...args, "-m", cell.hostPath(model), "--host", "127.0.0.1", "--port", String(port), "-c", "256", "-t", "2", "-np", "1"], {
        cwd: elsewhere,
        env: cell.env(root),
      });
      let completion: { content: string; tokens_predicted: number };
      try {
        await time("serve-ready", () => waitForHealthy(`http://127.0.0.1:${port}/health`, served, 600_000));
        completion = await time("completion", async () => {
          const r = await fetch(`http://127.0.0.1:${port}/completion`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ prompt: "hello world", n_predict: 8, ignore_eos: true, temperature: 0, cache_prompt: false }),
            signal: AbortSignal.timeout(300_000),
          });
          expect(r.status, served.output()).toBe(200);
          return (await r.json()) as { content: string; tokens_predicted: number };
        });
      } finally {
        await time("stop", () => served.stop());
      }
      expect(completion.tokens_predicted).toBeGreaterThan(0);
      expect(typeof completion.content).toBe("string");

      summary[id] = {
        file: path.basename(result.file),
        source: source.from,
        toolchain: result.manifest.build?.toolchain,
        compiler: result.manifest.build?.compiler,
        reusedBuild: result.reusedBuild,
        packageBytes: result.size,
        uncompressedBytes: report.uncompressedSize,
        entries: report.entries,
        smoke: { runner: report.smoke?.runner, durationMs: report.smoke?.durationMs, note: report.smoke?.note },
        tokensPredicted: completion.tokens_predicted,
        packTimings: result.timings,
        timings,
      };
    });
  }
});
