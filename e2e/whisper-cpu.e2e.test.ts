import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readBinaryFile, type VerifyReport, writeGeneratedFile } from "../packages/verifier/dist/index.js";
import { listFiles } from "./helpers/files.js";
import { stepTimer } from "./helpers/timings.js";
import { e2eCacheDir } from "./helpers/llama-source.js";
import { freePort, run, serve, waitForHealthy } from "./helpers/processes.js";
import { transcribe, whisperSourceArgs } from "./helpers/whisper.js";

if (process.env["BAIENGINE_E2E"] !== "1") throw new Error("the e2e suite runs through `pnpm test:e2e` (BAIENGINE_E2E=1)");

const repo = path.resolve(import.meta.dirname, "..");
const packEngine = path.join(repo, "packages", "packer", "bin", "pack-engine.js");
const verifyEngine = path.join(repo, "packages", "verifier", "bin", "verify-engine.js");
const registry = path.join(repo, "packages", "registry-cli", "bin", "engine-registry.js");
/** The app's live packages.json as captured (llama-cpp and whisper-cpp entries; sha256 values are stand-ins). */
const LIVE_INDEX = path.join(repo, "packages", "schema", "test", "fixtures", "live-packages.json");

/** A loopback file server for `{baseUrl}/{tag}/{filename}`: any tag, files from `dir`. */
async function serveReleases(dir: string): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const name = path.basename(decodeURIComponent((req.url ?? "/").split("?")[0]!));
    const file = path.join(dir, name);
    if (!existsSync(file)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader("content-length", statSync(file).size);
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe("whisper.cpp cpu package, end to end (the same commands as llama.cpp)", () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "baiengine-whisper-e2e-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const { timings, time } = stepTimer("whisper e2e");
  const packCpu = (out: string) => run(process.execPath, [packEngine, "--engine", "whisper-cpp", "--accel", "cpu", ...whisperSourceArgs(), "--out", out, "--json"], { cwd: tmp });

  it("packs (reproducibly), smoke-tests by transcription, publishes beside llama-cpp, installs from a loopback registry and serves with an empty environment", async () => {
    const packed = await time("pack", () => packCpu(path.join(tmp, "out")));
    const result = JSON.parse(packed.stdout) as { file: string; size: number; sha256: string; timings: Record<string, number>; reusedBuild: boolean; manifest: { version: string } };
    expect(path.basename(result.file)).toBe(`whisper-cpp-${result.manifest.version}-linux-x86_64-cpu.baiengine`);
    expect(result.manifest.version).toBe("1.9.1");

    // Reproducible to the byte: a second pack of the same build writes the same archive.
    const again = JSON.parse((await time("repack", () => packCpu(path.join(tmp, "out2")))).stdout) as { sha256: string };
    expect(again.sha256).toBe(result.sha256);

    // The smoke, as CI runs it: the server on 127.0.0.1 with a generated model transcribes a generated WAV.
    const verified = await time("verify-smoke", () => run(process.execPath, [verifyEngine, result.file, "--smoke", "--json"], { cwd: tmp }));
    const report = JSON.parse(verified.stdout) as VerifyReport;
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(report.smoke?.ran).toBe(true);
    expect(typeof (JSON.parse(report.smoke!.output!) as { text: unknown }).text).toBe("string");

    // The index: the live packages.json without its whisper-cpp entry moves in; whisper-cpp is published beside llama-cpp.
    const live = JSON.parse(readFileSync(LIVE_INDEX, "utf8")) as { engines: { id: string }[] };
    live.engines = live.engines.filter((e) => e.id !== "whisper-cpp");
    writeFileSync(path.join(tmp, "packages.live.json"), JSON.stringify(live));
    const index = path.join(tmp, "engines.json");
    const out = path.join(tmp, "out");
    await run(process.execPath, [registry, "migrate", "--from", path.join(tmp, "packages.live.json"), "--to", index], { cwd: tmp });
    await run(process.execPath, [registry, "name-packages", "--registry", index, "--engine", "whisper-cpp", "--version", "1.9.1", "--packages-dir", out], { cwd: tmp });
    await time("publish", () => run(process.execPath, [registry, "update", "--registry", index, "--engine", "whisper-cpp", "--version", "1.9.1", "--packages-dir", out], { cwd: tmp }));
    await run(process.execPath, [registry, "export", "--registry", index, "--format", "packages-json", "--out", path.join(tmp, "packages.json")], { cwd: tmp });
    const exported = JSON.parse(readFileSync(path.join(tmp, "packages.json"), "utf8")) as { engines: { id: string; supportedFormats: string[]; latest: { version: string; packages: { filename: string }[] } }[] };
    expect(exported.engines.map((e) => e.id)).toEqual(expect.arrayContaining(["llama-cpp", "whisper-cpp"]));
    const published = exported.engines.find((e) => e.id === "whisper-cpp")!;
    expect(published.latest.version).toBe("1.9.1");
    // A new entry takes the profile's formats: the ggml .bin files whisper.cpp's loader reads (the live index says gguf too).
    expect(published.supportedFormats).toEqual(["bin"]);
    const filename = published.latest.packages[0]!.filename;
    expect(filename).toMatch(/^whisper-cpp-1\.9\.1-linux-(x64|x86_64)-cpu\.baiengine$/);

    // Resolve and install from a loopback registry, as the app does.
    const releases = await serveReleases(out);
    const enginesDir = path.join(tmp, "engines");
    try {
      const resolved = await run(process.execPath, [registry, "resolve", "--registry", index, "--engine", "whisper-cpp", "--json"], { cwd: tmp });
      expect(JSON.parse(resolved.stdout)).toMatchObject({ entry: { filename } });
      await time("install", () => run(process.execPath, [registry, "install", "--registry", index, "--engine", "whisper-cpp", "--base-url", releases.origin, "--engines-dir", enginesDir, "--json"], { cwd: tmp }));
    } finally {
      await releases.close();
    }
    const installed = path.join(enginesDir, "whisper-cpp", "1.9.1", "linux-x86_64-cpu");
    const files = listFiles(installed);
    expect(files).toContain("whisper-server");
    // No OpenMP runtime: nothing in the package links libgomp (GGML_OPENMP=OFF), and every run path is $ORIGIN's.
    for (const file of files) {
      const info = await readBinaryFile(path.join(installed, file));
      if (!info) continue;
      expect(info.needed.filter((n) => n.startsWith("libgomp")), file).toEqual([]);
      expect([...info.runpath, ...info.rpath].every((p) => p.startsWith("$ORIGIN")), file).toBe(true);
    }

    // The installed server, started as the app starts it: empty environment, another folder, a generated model.
    const elsewhere = path.join(tmp, "elsewhere");
    mkdirSync(elsewhere);
    const model = await writeGeneratedFile("tiny-whisper-model", elsewhere);
    const port = await freePort();
    const served = serve(path.join(installed, "whisper-server"), ["-m", model, "--host", "127.0.0.1", "--port", String(port), "-t", "2"], { cwd: elsewhere, env: {} });
    let answer: { status: number; body: unknown };
    try {
      await time("serve-ready", () => waitForHealthy(`http://127.0.0.1:${port}/health`, served, 120_000));
      answer = await time("transcribe", () => transcribe(`http://127.0.0.1:${port}`, 120_000));
    } finally {
      await served.stop();
    }
    expect(answer.status, served.output()).toBe(200);
    expect(typeof (answer.body as { text: unknown }).text).toBe("string");

    const summary = {
      file: path.basename(result.file),
      packageBytes: result.size,
      liveRegistryBytes: 1801521,
      reusedBuild: result.reusedBuild,
      packTimings: result.timings,
      smoke: { durationMs: report.smoke?.durationMs, answer: report.smoke?.output },
      installedFiles: files.length,
      transcription: answer.body,
      timings,
    };
    mkdirSync(e2eCacheDir(), { recursive: true });
    writeFileSync(path.join(e2eCacheDir(), "whisper-cpu-e2e-last.json"), `${JSON.stringify(summary, null, 2)}\n`);
    console.log(JSON.stringify(summary, null, 2));
  });
});
