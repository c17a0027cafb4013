import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { type PackageServer, startPackageServer } from "./helpers/package-server.js";
import { publishHello } from "./helpers/published-hello.js";
import { tempDir } from "@baiengine/test-kit";
import { CLI, type CliRun, runCli } from "./helpers/run-cli.js";

// Several CLI processes per test: seconds alone, minutes on a machine shared by several test runs.
vi.setConfig({ testTimeout: 180_000 });

const packed = inject("packedHello");
const PLATFORM = ["--os", "linux", "--arch", "x86_64", "--accel", "cpu"];
let registry: string;
let server: PackageServer;

beforeAll(async () => {
  const published = await publishHello(packed);
  registry = published.registry;
  server = await startPackageServer(published.mirror);
});
afterAll(async () => {
  await server?.close();
});

/** The CLI under `sh -c 'umask 077; exec node …'`: a user whose files nobody else may read by default. */
function runWithUmask077(args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
    execFile("sh", ["-c", `umask 077; exec ${quoted}`], { env: { ...process.env, CI: "1" } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, signal: null, stdout, stderr });
    });
  });
}

/** `mode path` of everything under `dir`, relative, sorted. */
async function modes(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isSymbolicLink()) continue;
    out.push(`${((await stat(path)).mode & 0o777).toString(8)} ${path.slice(dir.length + 1)}`);
  }
  return out.sort();
}

describe("shared engines folders and real disks", () => {
  it("a umask 077 install still gives 0755 folders and executables, 0644 other files: another user can run it", async () => {
    const enginesDir = join(await tempDir(), "engines");
    const run = await runWithUmask077(["install", "--registry", registry, "--engine", "hello", ...PLATFORM, "--base-url", `${server.url}/ok`, "--engines-dir", enginesDir]);
    expect(run.code, run.stderr).toBe(0);
    const found = await modes(join(enginesDir, "hello"));
    expect(found.length).toBeGreaterThan(4);
    for (const line of found) expect(line).toMatch(/^(755|644) /);
    expect(found).toContain(`755 ${packed.version}/linux-x86_64-cpu`);
    expect(found.filter((l) => l.endsWith("-server"))).toEqual([expect.stringMatching(/^755 /)]);
  });

  it("links planted at the partial download and its record are replaced, never written through", async () => {
    const work = await tempDir();
    const enginesDir = join(work, "engines");
    const downloads = join(enginesDir, ".downloads");
    await mkdir(downloads, { recursive: true });
    const victim = join(work, "victim.bin");
    const victimRecord = join(work, "victim.json");
    await writeFile(victim, "precious");
    await writeFile(victimRecord, "precious record");
    const part = join(downloads, `${basename(packed.file)}.part`);
    await symlink(victim, part);
    await symlink(victimRecord, `${part}.json`);
    const run = await runCli(["install", "--registry", registry, "--engine", "hello", ...PLATFORM, "--base-url", `${server.url}/ok`, "--engines-dir", enginesDir]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`warning: ${part} was a symbolic link; replaced by a new partial file (never written through)`);
    expect(await readFile(victim, "utf8")).toBe("precious");
    expect(await readFile(victimRecord, "utf8")).toBe("precious record");
  });

  it("--engines-dir=~/x expands ~ (no shell expands it after '='); ~user is refused with a hint", async () => {
    const name = `.baiengine-test-${process.pid}-${Date.now()}`;
    const run = await runCli(["install", "--registry", registry, "--engine", "hello", ...PLATFORM, "--base-url", `${server.url}/ok`, `--engines-dir=~/${name}`, "--dry-run"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(join(homedir(), name));
    expect(run.stdout).not.toContain("~/");
    const other = await runCli(["install", "--registry", registry, "--engine", "hello", ...PLATFORM, "--engines-dir=~root/x", "--dry-run"]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^error: --engines-dir ~root\/x: a path starting with ~user is not expanded here\n {2}hint: write it out in full/);
  });
});
