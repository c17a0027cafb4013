import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { buildStaging, packWithNodeTar } from "./helpers/good-package.js";
import { gzip, PACKAGE_NAME, tarArchive } from "./helpers/tar-writer.js";
import { goodMembers } from "./helpers/good-package.js";
import { runCli, tempDirSync } from "@baiengine/test-kit";

const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "bin", "verify-engine.js");
let work: string;
let good: string;
let bad: string;

const cli = (args: string[], env: Record<string, string> = {}) => runCli(bin, args, { env });

beforeAll(async () => {
  if (!existsSync(join(dirname(bin), "..", "dist", "cli", "verify-engine.js"))) {
    throw new Error("verify-engine is not built: run `pnpm turbo run build --filter=@baiengine/verifier` first");
  }
  work = tempDirSync("verifier-cli");
  const staging = buildStaging(join(work, "staging"));
  mkdirSync(join(work, "good"));
  mkdirSync(join(work, "bad"));
  good = join(work, "good", PACKAGE_NAME);
  bad = join(work, "bad", PACKAGE_NAME);
  await packWithNodeTar(staging, good);
  writeFileSync(bad, gzip(tarArchive([...goodMembers(staging), { name: "package/../../evil", data: "x" }])));
});

describe("verify-engine CLI", () => {
  it("exits 0 for a good package and prints ok", async () => {
    const run = await cli([good]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ok .*llama-cpp-b4618-linux-x86_64-cpu\.baiengine \(\d+ bytes, sha256 [0-9a-f]{64}, \d+ entries\)/);
  });

  it("exits 1 for a hostile package with one line per finding", async () => {
    const run = await cli([good, bad]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("FAILED");
    expect(run.stdout).toMatch(/^ {2}error ENTRY_PATH_TRAVERSAL package\/\.\.\/\.\.\/evil: name "package\/\.\.\/\.\.\/evil": has a '\.\.' segment$/m);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("--json prints one object per file", async () => {
    const run = await cli(["--json", good, bad]);
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ file: good, ok: true, findings: expect.any(Array), manifest: { engineId: "llama-cpp" } });
    expect(lines[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(lines[1].ok).toBe(false);
    expect(lines[1].findings.map((f: { code: string }) => f.code)).toContain("ENTRY_PATH_TRAVERSAL");
  });

  it("--smoke runs the server binary", async () => {
    const run = await cli(["--smoke", good]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/smoke: ran via native in \d+ ms: version: 1\.0\.0/);
  });

  it("a limit flag lowers the limit", async () => {
    const run = await cli(["--max-entries", "2", good]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("error LIMIT_ENTRY_COUNT");
  });

  it("usage errors exit 2 without a stack trace", async () => {
    for (const args of [[], ["--max-entries", "zero", good], ["--no-such-flag", good], ["--registry", join(work, "missing.json"), good]]) {
      const run = await cli(args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("a missing file is a failure (exit 1) with a finding, not a crash", async () => {
    const run = await cli([join(work, "nope.baiengine")]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("error FILE_UNREADABLE");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("under GitHub Actions prints annotations and appends a summary table", async () => {
    const summary = join(work, "summary.md");
    writeFileSync(summary, "# earlier step\n");
    const run = await cli([good, bad], { GITHUB_ACTIONS: "true", CI: "true", GITHUB_STEP_SUMMARY: summary });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^::error file=${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")},title=ENTRY_PATH_TRAVERSAL::package/\\.\\./\\.\\./evil: `, "m"));
    const md = readFileSync(summary, "utf8");
    expect(md.startsWith("# earlier step\n")).toBe(true);
    expect(md).toContain("| Package | Result | Errors | Warnings | Size | sha256 | First finding |");
    expect(md).toMatch(/\| .*good\/llama-cpp-b4618-linux-x86_64-cpu\.baiengine \| ✅ ok \| 0 \|/);
    expect(md).toMatch(/\| .*bad\/llama-cpp-b4618-linux-x86_64-cpu\.baiengine \| ❌ failed \| [1-9]\d* \|.*ENTRY_PATH_TRAVERSAL/);
  });
});
