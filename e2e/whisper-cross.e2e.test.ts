import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type BinaryInfo, extractPackage, readBinaryFile, type VerifyReport } from "../packages/verifier/dist/index.js";
import { CROSS_CELLS, requireCrossTools } from "./cross/cross-cells.js";
import { unresolvedWindowsImports } from "./cross/windows-imports.js";
import { listFiles } from "./helpers/files.js";
import { stepTimer } from "./helpers/timings.js";
import { e2eCacheDir } from "./helpers/llama-source.js";
import { run } from "./helpers/processes.js";
import { whisperSourceArgs } from "./helpers/whisper.js";

if (process.env["BAIENGINE_E2E"] !== "1") throw new Error("the e2e suite runs through `pnpm test:e2e` (BAIENGINE_E2E=1)");

const repo = path.resolve(import.meta.dirname, "..");
const packEngine = path.join(repo, "packages", "packer", "bin", "pack-engine.js");
const verifyEngine = path.join(repo, "packages", "verifier", "bin", "verify-engine.js");

describe("cross-built whisper.cpp packages (linux-aarch64 under qemu-user, windows-x86_64 under wine), end to end", () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "baiengine-whisper-cross-e2e-"));
  const summary: Record<string, unknown> = {};
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
    if (Object.keys(summary).length > 0) {
      mkdirSync(e2eCacheDir(), { recursive: true });
      writeFileSync(path.join(e2eCacheDir(), "whisper-cross-e2e-last.json"), `${JSON.stringify(summary, null, 2)}\n`);
      console.log(JSON.stringify(summary, null, 2));
    }
  });

  for (const cell of CROSS_CELLS) {
    const id = `${cell.os}-${cell.arch}`;
    const serverBinary = cell.os === "windows" ? "whisper-server.exe" : "whisper-server";
    it(`${id}: packs with ${cell.toolchain}, and verify-engine --smoke --emulate transcribes the generated WAV through the emulator`, async () => {
      requireCrossTools(cell);
      const { timings, time } = stepTimer(`whisper cross e2e ${id}`);
      const root = path.join(tmp, id);
      mkdirSync(root);
      const packed = await time("pack", () =>
        run(process.execPath, [packEngine, "--engine", "whisper-cpp", "--os", cell.os, "--arch", cell.arch, "--accel", "cpu", ...whisperSourceArgs(), "--out", path.join(root, "out"), "--json"], { cwd: root }),
      );
      const result = JSON.parse(packed.stdout) as { file: string; size: number; sha256: string; timings: Record<string, number>; reusedBuild: boolean; manifest: { version: string; serverBinary: string; build?: { toolchain?: string } } };
      // Reproducible to the byte: a second pack from the same build folder (strip runs again) is the same file.
      const repacked = await time("repack", () =>
        run(process.execPath, [packEngine, "--engine", "whisper-cpp", "--os", cell.os, "--arch", cell.arch, "--accel", "cpu", ...whisperSourceArgs(), "--out", path.join(root, "again"), "--json"], { cwd: root }),
      );
      expect((JSON.parse(repacked.stdout) as { sha256: string }).sha256).toBe(result.sha256);
      expect(path.basename(result.file)).toBe(`whisper-cpp-${result.manifest.version}-${id}-cpu.baiengine`);
      expect(result.manifest.serverBinary).toBe(serverBinary);
      expect(result.manifest.build?.toolchain).toBe(cell.toolchain);

      // The profile's HTTP smoke under the emulator: whisper-server on 127.0.0.1 with a generated model, POST /inference of a WAV.
      const verified = await time("verify-smoke", () => run(process.execPath, [verifyEngine, result.file, "--smoke", "--emulate", "--json"], { cwd: root }));
      const report = JSON.parse(verified.stdout) as VerifyReport;
      expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
      expect(report.smoke?.ran, report.smoke?.skippedReason).toBe(true);
      expect(report.smoke?.runner).toBe(cell.emulate("x").command);
      expect(typeof (JSON.parse(report.smoke!.output!) as { text: unknown }).text).toBe("string");

      const dest = path.join(root, "extracted");
      await extractPackage(result.file, dest);
      const pkg = path.join(dest, "package");
      const files = listFiles(pkg);
      const binaries: { path: string; info: BinaryInfo }[] = [];
      for (const file of files) {
        const info = await readBinaryFile(path.join(pkg, file));
        if (info) binaries.push({ path: file, info });
      }
      for (const { path: file, info } of binaries) {
        expect([info.format, info.arch], file).toEqual([cell.format, cell.arch]);
        expect(info.needed.filter((n) => /gomp/i.test(n)), file).toEqual([]);
      }
      if (cell.format === "pe") expect(unresolvedWindowsImports(binaries, files)).toEqual([]);
      else for (const { path: file, info } of binaries) expect([...info.runpath, ...info.rpath].every((p) => p.startsWith("$ORIGIN")), file).toBe(true);

      summary[id] = { file: path.basename(result.file), packageBytes: result.size, reusedBuild: result.reusedBuild, smoke: { runner: report.smoke?.runner, durationMs: report.smoke?.durationMs, answer: report.smoke?.output }, packTimings: result.timings, timings };
    });
  }
});
