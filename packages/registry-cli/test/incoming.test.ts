import { type ChildProcess, spawn } from "node:child_process";
import { copyFile, mkdir, readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { afterAll, describe, expect, inject, it, vi } from "vitest";
import { tempDir } from "@baiengine/test-kit";
import { runCli } from "./helpers/run-cli.js";

// Several CLI processes per test: seconds alone, minutes on a machine shared by several test runs.
vi.setConfig({ testTimeout: 180_000 });

const packed = inject("packedHello");
const NAME = basename(packed.file);
const copiers: ChildProcess[] = [];
afterAll(async () => {
  for (const c of copiers) c.kill("SIGKILL");
});

/**
 * Another process copying the package into `to` slowly: it writes the first half, says so, and holds
 * the file open until its stdin ends, then writes the rest and exits.
 */
function slowCopier(from: string, to: string): Promise<{ finish: () => Promise<void> }> {
  const script = `const fs = require("fs");
const data = fs.readFileSync(${JSON.stringify(from)});
const fd = fs.openSync(${JSON.stringify(to)}, "w");
fs.writeSync(fd, data, 0, data.length >> 1);
console.log("half");
process.stdin.on("data", () => {});
process.stdin.on("end", () => { fs.writeSync(fd, data, data.length >> 1); fs.closeSync(fd); process.exit(0); });`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["pipe", "pipe", "inherit"] });
  copiers.push(child);
  return new Promise((resolve) => {
    child.stdout!.once("data", () =>
      resolve({
        finish: () =>
          new Promise<void>((done) => {
            child.once("exit", () => done());
            child.stdin!.end();
          }),
      }),
    );
  });
}

describe("import from incoming/", () => {
  it("a package still being copied in is left for the next run (and the run says so); once complete it installs", async () => {
    const enginesDir = join(await tempDir(), "engines");
    const incoming = join(enginesDir, "incoming");
    await mkdir(incoming, { recursive: true });
    const copier = await slowCopier(packed.file, join(incoming, NAME));
    const first = await runCli(["import", "--engines-dir", enginesDir, "--settle", "1"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^waiting ${NAME.replace(/[.]/g, "\\.")}: still being copied in \\(process \\d+ has it open for writing\\); left for the next run$`, "m"));
    expect(await readdir(incoming)).toEqual([NAME]);
    await copier.finish();
    const second = await runCli(["import", "--engines-dir", enginesDir, "--settle", "1"]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(new RegExp(`^installed ${NAME.replace(/[.]/g, "\\.")} -> `, "m"));
  });

  it("browser duplicate names (name (1).baiengine, name(1).baiengine) install under the manifest's name, saying so", async () => {
    const enginesDir = join(await tempDir(), "engines");
    const incoming = join(enginesDir, "incoming");
    await mkdir(incoming, { recursive: true });
    const stem = NAME.replace(/\.baiengine$/, "");
    await copyFile(packed.file, join(incoming, `${stem} (1).baiengine`));
    const run = await runCli(["import", "--engines-dir", enginesDir, "--settle", "1"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`installed ${stem} (1).baiengine as ${NAME} -> ${join(enginesDir, "hello", packed.version, "linux-x86_64-cpu")}`);
    const saved = join(await tempDir(), `${stem}(2).baiengine`);
    await copyFile(packed.file, saved);
    const file = await runCli(["install", saved, "--engines-dir", join(await tempDir(), "e")]);
    expect(file.code, file.stderr).toBe(0);
    expect(file.stdout).toContain(`from "${stem}(2).baiengine", installed under the name its manifest gives`);
    // Any other wrong name keeps its refusal.
    const wrong = join(await tempDir(), `${stem}-copy.baiengine`);
    await copyFile(packed.file, wrong);
    const refused = await runCli(["install", wrong, "--engines-dir", join(await tempDir(), "e")]);
    expect(refused.code).toBe(1);
  });
});
