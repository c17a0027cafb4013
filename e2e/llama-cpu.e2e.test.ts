import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { extractPackage, verifyPackage } from "../packages/verifier/dist/index.js";
import { e2eCacheDir, llamaSource } from "./helpers/llama-source.js";
import { freePort, run, serve, waitForHealthy } from "./helpers/processes.js";
import { stepTimer } from "./helpers/timings.js";
import { tinyLlamaGguf } from "./helpers/tiny-llama.js";

if (process.env["BAIENGINE_E2E"] !== "1") throw new Error("the e2e suite runs through `pnpm test:e2e` (BAIENGINE_E2E=1)");

const repo = path.resolve(import.meta.dirname, "..");
const packEngine = path.join(repo, "packages", "packer", "bin", "pack-engine.js");

describe("llama.cpp cpu package, end to end", () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "baiengine-e2e-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const { timings, time } = stepTimer();

  it("packs, verifies, extracts, runs --version and serves a completion of a generated GGUF", async () => {
    const source = await time("source", llamaSource);
    const out = path.join(tmp, "out");
    // A persistent cache: a second run reuses the configured build folder and ccache.
    const packed = await time("pack", () =>
      run(process.execPath, [packEngine, "--accel", "cpu", "--source", source.dir, "--out", out, "--cache-dir", path.join(e2eCacheDir(), "packer"), "--json"], { cwd: tmp }),
    );
    const result = JSON.parse(packed.stdout) as { file: string; size: number; sha256: string; timings: Record<string, number>; reusedBuild: boolean; buildDir: string; manifest: { version: string } };
    expect(path.basename(result.file)).toBe("llama-cpp-0.5.0-linux-x86_64-cpu.baiengine");

    const report = await time("verify", () => verifyPackage(result.file));
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);

    const dest = path.join(tmp, "extracted");
    await time("extract", () => extractPackage(result.file, dest));
    const server = path.join(dest, "package", "llama-server");
    const elsewhere = path.join(tmp, "elsewhere");
    mkdirSync(elsewhere);
    const version = await time("version", () => run(server, ["--version"], { cwd: elsewhere, env: {} }));
    expect(`${version.stdout}${version.stderr}`).toMatch(/version: \d+/);

    const model = path.join(tmp, "tiny-llama.gguf");
    writeFileSync(model, tinyLlamaGguf());
    const port = await freePort();
    const served = serve(server, ["-m", model, "--host", "127.0.0.1", "--port", String(port), "-c", "256", "-t", "2", "-np", "1"], { cwd: elsewhere, env: {} });
    let completionResult: { content: string; tokens_predicted: number } | null = null;
    try {
      await time("serve-ready", () => waitForHealthy(`http://127.0.0.1:${port}/health`, served, 120_000));
      const completion = await time("completion", async () => {
        const r = await fetch(`http://127.0.0.1:${port}/completion`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ prompt: "hello world", n_predict: 8, ignore_eos: true, temperature: 0, cache_prompt: false }),
        });
        expect(r.status).toBe(200);
        return (await r.json()) as { content: string; tokens_predicted: number };
      });
      expect(completion.tokens_predicted).toBeGreaterThan(0);
      expect(typeof completion.content).toBe("string");
      completionResult = completion;
    } finally {
      await served.stop();
    }

    // The package against a plain `tar czf` of the build's bin folder.
    const plainTgz = path.join(tmp, "build-bin.tar.gz");
    await run("tar", ["czf", plainTgz, "-C", result.buildDir, "bin"]);
    const summary = {
      file: path.basename(result.file),
      source: source.from,
      reusedBuild: result.reusedBuild,
      versionOutput: `${version.stdout}${version.stderr}`.split("\n").find((l) => /version: \d+/.test(l)),
      completion: completionResult ? { tokensPredicted: completionResult.tokens_predicted, content: completionResult.content } : null,
      packageBytes: result.size,
      plainBuildBinTarGzBytes: statSync(plainTgz).size,
      packTimings: result.timings,
      timings,
    };
    writeFileSync(path.join(e2eCacheDir(), "llama-cpu-e2e-last.json"), `${JSON.stringify(summary, null, 2)}\n`);
    console.log(JSON.stringify(summary, null, 2));
  });
});
