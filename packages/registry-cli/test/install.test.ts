import { copyFile, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { fileBaseUrl, installResolved } from "../src/install/install-package.js";
import { readIndex } from "../src/index-file/read-index.js";
import { resolvePackage } from "../src/resolve/resolve-package.js";
import { packageVerifier } from "../src/verifier-port.js";
import { DownloadError } from "../src/errors.js";
import { type PackageServer, startPackageServer } from "./helpers/package-server.js";
import { writeJson } from "./helpers/registry-fixtures.js";
import { publishHello } from "./helpers/published-hello.js";
import { runCli } from "./helpers/run-cli.js";
import { tempDir } from "@baiengine/test-kit";

const packed = inject("packedHello");
const filename = basename(packed.file);
const platform = "linux-x86_64-cpu";
let server: PackageServer;
let registry: string;
let mirror: string;

/** engines.json pointing at the loopback server in one mode (or at a file:// mirror). */
async function registryFor(baseUrl: string): Promise<string> {
  const file = join(await tempDir(), "engines.json");
  const index = JSON.parse(await readFile(registry, "utf8"));
  index.baseUrl = baseUrl;
  await writeJson(file, index);
  return file;
}

async function installedPlatforms(enginesDir: string): Promise<string[]> {
  const dir = join(enginesDir, "hello", packed.version);
  return (await readdir(dir).catch(() => [] as string[])).sort();
}

beforeAll(async () => {
  ({ registry, mirror } = await publishHello(packed));
  server = await startPackageServer(mirror);
});

afterAll(async () => {
  await server?.close();
});

describe("resolve", () => {
  it("prints URL, size and sha256 for an explicit platform, and explains the host's choice", async () => {
    const file = await registryFor(`${server.url}/ok`);
    const explicit = await runCli(["resolve", "--registry", file, "--engine", "hello", "--os", "linux", "--arch", "x86_64", "--accel", "cpu", "--json"]);
    expect(explicit.code, explicit.stderr).toBe(0);
    const r = JSON.parse(explicit.stdout);
    expect(r.url).toBe(`${server.url}/ok/hello-v${packed.version}/${filename}`);
    expect(r.entry).toMatchObject({ size: packed.size, sha256: packed.sha256 });
    const host = await runCli(["resolve", "--registry", file, "--engine", "hello"]);
    // This test host is linux-x86_64 without a GPU: the CPU package, with the host facts explained.
    expect(host.code, host.stderr).toBe(0);
    expect(host.stdout).toContain("host: os linux, arch x86_64");
    expect(host.stdout).toContain(`chosen: ${platform}`);
    const none = await runCli(["resolve", "--registry", file, "--engine", "hello", "--os", "windows", "--arch", "x86_64"]);
    expect(none.code).toBe(1);
  });

  it("--accel alone picks that accelerator's package for this host's os and arch (no --os/--arch needed)", async () => {
    const file = await registryFor(`${server.url}/ok`);
    const alone = await runCli(["resolve", "--registry", file, "--engine", "hello", "--accel", "cpu", "--json"]);
    expect(alone.code, alone.stderr).toBe(0);
    expect(JSON.parse(alone.stdout)).toMatchObject({ platform, url: `${server.url}/ok/hello-v${packed.version}/${filename}` });
    const half = await runCli(["resolve", "--registry", file, "--engine", "hello", "--os", "linux", "--accel", "cpu"]);
    expect([half.code, half.stderr.split("\n")[0]]).toEqual([2, "error: --os and --arch go together"]);
    // Flags given and nothing fits: the hint points at the listed platforms, not at the same flags again.
    const absent = await runCli(["resolve", "--registry", file, "--engine", "hello", "--accel", "cuda13"]);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toBe(
      `error: no package of hello ${packed.version} fits: no linux-x86_64-cuda13 package; available: ${platform}\n  hint: ask for one of the platforms the index has (the line lists them)\n`,
    );
    // A runtime pack has no accelerator to choose: --accel with --runtime is refused, not ignored.
    const runtime = await runCli(["install", "--registry", file, "--runtime", "cuda13-runtime", "--accel", "cuda13", "--engines-dir", join(await tempDir(), "e")]);
    expect([runtime.code, runtime.stderr.split("\n")[0]]).toEqual([2, "error: --accel chooses an engine package; a runtime pack has one latest version per --os/--arch"]);
  });

  it("--base-url that is not an http(s):// or file:// URL is a usage error (exit 2) before anything is created", async () => {
    const file = await registryFor(`${server.url}/ok`);
    const enginesDir = join(await tempDir(), "engines");
    const folder = await runCli(["install", "--registry", file, "--engine", "hello", "--accel", "cpu", "--base-url", mirror, "--engines-dir", enginesDir]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toBe(`error: --base-url ${mirror} is not an http(s):// or file:// URL\n  hint: for a local folder, pass its file:// URL: --base-url ${fileBaseUrl(mirror)}\n`);
    const ftp = await runCli(["resolve", "--registry", file, "--engine", "hello", "--base-url", "ftp://mirror.example/engines"]);
    expect([ftp.code, ftp.stderr.split("\n")[0]]).toEqual([2, "error: --base-url ftp://mirror.example/engines is not an http(s):// or file:// URL"]);
    expect(await stat(enginesDir).catch(() => null)).toBeNull();
    const good = await runCli(["install", "--registry", file, "--engine", "hello", "--accel", "cpu", "--base-url", `${fileBaseUrl(mirror)}/`, "--engines-dir", enginesDir]);
    expect(good.code, good.stderr).toBe(0);
    expect(await installedPlatforms(enginesDir)).toEqual([platform]);
  });
});

describe("install from a loopback server", () => {
  it("installs with the CLI (via a redirect) into <engines-dir>/<id>/<version>/<platform>/ and validates the URLs", async () => {
    const file = await registryFor(`${server.url}/redirect`);
    const enginesDir = join(await tempDir(), "engines");
    const result = await runCli(["install", "--registry", file, "--engine", "hello", "--os", "linux", "--arch", "x86_64", "--accel", "cpu", "--engines-dir", enginesDir, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const dest = join(enginesDir, "hello", packed.version, platform);
    expect(JSON.parse(result.stdout).dir).toBe(dest);
    const manifest = JSON.parse(await readFile(join(dest, "manifest.json"), "utf8"));
    expect(manifest.engineId).toBe("hello");
    expect((await stat(join(dest, manifest.serverBinary))).mode & 0o111).not.toBe(0);
    expect(await readdir(join(enginesDir, ".downloads"))).toEqual([]);
    expect(await installedPlatforms(enginesDir)).toEqual([platform]);

    expect((await runCli(["validate", "--registry", file, "--check-urls"])).code).toBe(0);
    const missing = await runCli(["validate", "--registry", await registryFor(`${server.url}/missing`), "--check-urls"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("HTTP 404");
  });

  it("an engines folder where folders cannot be made (under /proc) fails in one line instead of spinning forever", async () => {
    // Node's recursive mkdir never settles on procfs (an existing folder answering ENOENT for a new child).
    const file = await registryFor(`${server.url}/ok`);
    const run = await runCli(["install", "--registry", file, "--engine", "hello", "--accel", "cpu", "--engines-dir", "/proc/baiengine-no/engines"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("error: folder /proc/baiengine-no does not exist (mkdir: ENOENT)\n  hint: check the paths given on the command line and their permissions\n");
  });

  it("resumes a dropped download with a Range request", async () => {
    const index = await readIndex(await registryFor(`${server.url}/flaky`));
    const resolution = resolvePackage(index.registry, "hello", { request: { os: "linux", arch: "x86_64", accel: "cpu" } });
    const enginesDir = join(await tempDir(), "engines");
    const before = server.requests.length;
    const result = await installResolved(resolution, enginesDir, { verifier: packageVerifier }, { backoffMs: 10 });
    expect(result.alreadyInstalled).toBe(false);
    const seen = server.requests.slice(before).filter((r) => r.mode === "flaky");
    expect(seen.map((r) => r.range)).toEqual([undefined, `bytes=${Math.floor(packed.size / 2)}-`]);
    expect(await installedPlatforms(enginesDir)).toEqual([platform]);
  });

  it("installs from a file:// mirror", async () => {
    // engines.json only holds http(s) base URLs; a file:// mirror is given on the command line.
    const file = await registryFor(`${server.url}/missing`);
    const enginesDir = join(await tempDir(), "engines");
    const result = await runCli(["install", "--registry", file, "--engine", "hello", "--os", "linux", "--arch", "x86_64", "--engines-dir", enginesDir, "--base-url", fileBaseUrl(mirror)]);
    expect(result.code, result.stderr).toBe(0);
    expect(await installedPlatforms(enginesDir)).toEqual([platform]);
  });

  describe("every refusal leaves nothing installed", () => {
    it.each([
      ["tampered", /bytes received have sha256 [0-9a-f]{64}, the index lists [0-9a-f]{64} for hello-/],
      ["truncated", /response ended after|other side closed|terminated|socket/i],
      ["missing", /HTTP 404/],
      ["slow", /timeout/i],
      ["oversize", /sent more than the index's \d+ bytes/],
      ["loop", /too many redirects \(more than 10, the last to \/loop\//],
    ])("%s", async (mode, message) => {
      const index = await readIndex(await registryFor(`${server.url}/${mode}`));
      const resolution = resolvePackage(index.registry, "hello", { request: { os: "linux", arch: "x86_64", accel: "cpu" } });
      const enginesDir = join(await tempDir(), "engines");
      const error = await installResolved(resolution, enginesDir, { verifier: packageVerifier }, { retries: 1, backoffMs: 10, timeoutMs: 500 }).catch((e) => e);
      expect(error).toBeInstanceOf(DownloadError);
      expect(error.message).toMatch(message);
      // The URL is a fact of the failure, not only words in its sentence.
      expect(error.url).toBe(resolution.url);
      expect(await installedPlatforms(enginesDir)).toEqual([]);
      expect(await readdir(enginesDir)).toEqual([".downloads"]);
      // Wrong content is deleted; only network trouble keeps a .part to resume from.
      const left = await readdir(join(enginesDir, ".downloads"));
      expect(left).toEqual(mode === "truncated" || mode === "slow" ? expect.any(Array) : []);
      expect(left.every((n) => n.endsWith(".part") || n.endsWith(".part.json"))).toBe(true);
    });

    it("a package the verifier rejects (index sha256 matches the bad file)", async () => {
      const badMirror = join(await tempDir(), "mirror");
      const tag = `hello-v${packed.version}`;
      await mkdir(join(badMirror, tag), { recursive: true });
      await writeFile(join(badMirror, tag, filename), "not a package at all, just bytes");
      const file = await registryFor(`${server.url}/missing`);
      const index = JSON.parse(await readFile(file, "utf8"));
      const { createHash } = await import("node:crypto");
      const bytes = await readFile(join(badMirror, tag, filename));
      Object.assign(index.engines[0].packages[0], { size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") });
      await writeJson(file, index);
      const enginesDir = join(await tempDir(), "engines");
      const result = await runCli(["install", "--registry", file, "--engine", "hello", "--os", "linux", "--arch", "x86_64", "--engines-dir", enginesDir, "--base-url", fileBaseUrl(badMirror)]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("was rejected");
      expect(await readdir(enginesDir)).toEqual([".downloads"]);
      expect(await readdir(join(enginesDir, ".downloads"))).toEqual([]);
    });
  });
});

describe("install <file> and import", () => {
  it("installs a local file; import moves good files to installed/ and bad ones to rejected/ with the reason", async () => {
    const enginesDir = join(await tempDir(), "engines");
    const incoming = join(enginesDir, "incoming");
    await mkdir(incoming, { recursive: true });
    await copyFile(packed.file, join(incoming, filename));
    await writeFile(join(incoming, "hello-9.9.9-linux-x86_64-cpu.baiengine"), "garbage");
    const result = await runCli(["import", "--engines-dir", enginesDir, "--json"]);
    expect(result.code).toBe(1); // one was rejected
    const outcomes = JSON.parse(result.stdout);
    expect(outcomes.map((o: { status: string }) => o.status)).toEqual(["installed", "rejected"]);
    expect(await readdir(join(incoming, "installed"))).toEqual([filename]);
    expect((await readdir(join(incoming, "rejected"))).sort()).toEqual(["hello-9.9.9-linux-x86_64-cpu.baiengine", "hello-9.9.9-linux-x86_64-cpu.baiengine.reason.txt"]);
    expect(await readFile(join(incoming, "rejected", "hello-9.9.9-linux-x86_64-cpu.baiengine.reason.txt"), "utf8")).toContain("rejected");
    expect(await installedPlatforms(enginesDir)).toEqual([platform]);
    expect(await readdir(join(enginesDir, "hello"))).toEqual([packed.version]);
    // Nothing left to import; installing the same file again reports it as already installed.
    expect((await runCli(["import", "--engines-dir", enginesDir])).stdout).toContain("nothing to import");
    const again = await runCli(["install", join(incoming, "installed", filename), "--engines-dir", enginesDir]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("already installed");
  });
});
