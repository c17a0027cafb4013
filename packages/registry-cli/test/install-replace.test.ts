import { spawn } from "node:child_process";
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { CLI, runCli } from "./helpers/run-cli.js";
import { tempDir } from "@baiengine/test-kit";

const packed = inject("packedHello");
const platform = "linux-x86_64-cpu";
const complete = (dir: string) => stat(join(dir, "manifest.json")).then(() => true, () => false);

async function installedOnce(enginesDir: string): Promise<string> {
  const file = join(await tempDir(), basename(packed.file));
  await copyFile(packed.file, file);
  const first = await runCli(["install", file, "--engines-dir", enginesDir]);
  expect(first.code, first.stderr).toBe(0);
  return file;
}

describe("--force replacement never leaves no installed copy", () => {
  it("a process killed between its two renames: the next run puts the old copy back and clears half-extracted folders", async () => {
    const enginesDir = join(await tempDir(), "engines");
    const file = await installedOnce(enginesDir);
    const versionDir = join(enginesDir, "hello", packed.version);
    // What `install --force` leaves when it dies after moving the old copy aside, before moving the new one in.
    await rename(join(versionDir, platform), join(versionDir, `.${platform}.replaced-0dead0`));
    await mkdir(join(versionDir, `.${platform}.installing-1-0dead0`, "package"), { recursive: true });
    await writeFile(join(versionDir, `.${platform}.installing-1-0dead0`, "package", "half"), "x");
    const next = await runCli(["install", file, "--engines-dir", enginesDir]);
    expect(next.code, next.stderr).toBe(0);
    expect(stripVTControlCharacters(next.stderr)).toContain(`restored ${join(versionDir, platform)} from .${platform}.replaced-0dead0 (an earlier --force install was interrupted)`);
    expect(next.stdout).toContain("already installed");
    expect(await readdir(versionDir)).toEqual([platform]);
    expect(await complete(join(versionDir, platform))).toBe(true);
  });

  it("SIGKILL at moments spread over a measured run: a complete copy is always installed or recoverable", async () => {
    const enginesDir = join(await tempDir(), "engines");
    const file = await installedOnce(enginesDir);
    const versionDir = join(enginesDir, "hello", packed.version);
    const args = [CLI, "install", file, "--engines-dir", enginesDir, "--force"];
    const started = Date.now();
    const timing = await runCli(args.slice(1));
    expect(timing.code, timing.stderr).toBe(0);
    const runMs = Date.now() - started;
    for (let round = 0; round < 6; round++) {
      const child = spawn(process.execPath, args, { stdio: "ignore" });
      const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
      const timer = setTimeout(() => child.kill("SIGKILL"), Math.floor(runMs * (0.2 + 0.75 * Math.random())));
      await exited;
      clearTimeout(timer);
      const names = await readdir(versionDir);
      const copies = [platform, ...names.filter((n) => n.startsWith(`.${platform}.replaced-`))].filter((n) => names.includes(n));
      const completeCopies = await Promise.all(copies.map((n) => complete(join(versionDir, n))));
      expect(completeCopies, names.join(", ")).toContain(true);
    }
    const last = await runCli(["install", file, "--engines-dir", enginesDir]);
    expect(last.code, last.stderr).toBe(0);
    expect(await readdir(versionDir)).toEqual([platform]);
    expect(await complete(join(versionDir, platform))).toBe(true);
  });
});

describe("an installed folder damaged by hand, an unreadable active record", () => {
  it("a folder whose server was deleted is not 'already installed': install replaces it, saying so", async () => {
    const enginesDir = join(await tempDir(), "engines");
    const file = await installedOnce(enginesDir);
    const dest = join(enginesDir, "hello", packed.version, platform);
    await rm(join(dest, "hello-server"));
    const next = await runCli(["install", file, "--engines-dir", enginesDir]);
    expect(next.code, next.stderr).toBe(0);
    expect(stripVTControlCharacters(next.stderr)).toContain(`warning: ${dest} is damaged (its server hello-server is missing); installing ${basename(file)} again`);
    expect(next.stdout).not.toContain("already installed");
    expect((await stat(join(dest, "hello-server"))).isFile()).toBe(true);
    expect(await readdir(join(enginesDir, "hello", packed.version))).toEqual([platform]);
  });

  it("an active.json that is not a record refuses the install before any byte is read, and installs nothing", async () => {
    const enginesDir = join(await tempDir(), "engines");
    await mkdir(enginesDir, { recursive: true });
    await writeFile(join(enginesDir, "active.json"), '{"format": 1, "engines": ');
    const file = join(await tempDir(), basename(packed.file));
    await copyFile(packed.file, file);
    const r = await runCli(["install", file, "--engines-dir", enginesDir, "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.message).toMatch(/active\.json is not a valid active record: not JSON/);
    expect((await readdir(enginesDir)).sort()).toEqual(["active.json"]);
  });
});
