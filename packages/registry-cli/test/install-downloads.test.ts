import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DownloadError } from "../src/errors.js";
import { readIndex } from "../src/index-file/read-index.js";
import { installResolved } from "../src/install/install-package.js";
import { resolvePackage } from "../src/resolve/resolve-package.js";
import { packageVerifier } from "../src/verifier-port.js";
import { makePackage } from "./helpers/packages.js";
import { type PackageServer, startPackageServer } from "./helpers/package-server.js";
import { writeJson } from "./helpers/registry-fixtures.js";
import { publishHello } from "./helpers/published-hello.js";
import { runCli } from "./helpers/run-cli.js";
import { tempDir } from "@baiengine/test-kit";

const packed = inject("packedHello");
const filename = basename(packed.file);
const _tag = `hello-v${packed.version}`;
const platform = "linux-x86_64-cpu";
let server: PackageServer;
let registry: string;
let mirror: string;

async function registryFor(mode: string): Promise<string> {
  const file = join(await tempDir(), "engines.json");
  const index = JSON.parse(await readFile(registry, "utf8"));
  index.baseUrl = `${server.url}/${mode}`;
  await writeJson(file, index);
  return file;
}

async function resolutionFor(mode: string) {
  const index = await readIndex(await registryFor(mode));
  return resolvePackage(index.registry, "hello", { request: { os: "linux", arch: "x86_64", accel: "cpu" } });
}

const installArgs = (file: string, enginesDir: string) => ["install", "--registry", file, "--engine", "hello", "--os", "linux", "--arch", "x86_64", "--accel", "cpu", "--engines-dir", enginesDir];
const plain = (text: string) => stripVTControlCharacters(text);
const requestsOf = (mode: string, since: number) => server.requests.slice(since).filter((r) => r.mode === mode);
const until = async (what: string, ok: () => boolean | Promise<boolean>) => {
  // Waits for an event (no timing assertion): the test's own timeout bounds it.
  while (!(await ok())) await new Promise((r) => setTimeout(r, 20));
  return what;
};

beforeAll(async () => {
  ({ registry, mirror } = await publishHello(packed));
  server = await startPackageServer(mirror);
});

afterAll(async () => {
  await server?.close();
});

describe("two installs of the same package at once", () => {
  it("the second waits for the first (saying so), then finds it installed: one download, installed once", async () => {
    const file = await registryFor("gated");
    const enginesDir = join(await tempDir(), "engines");
    const before = server.requests.length;
    const run = (args: string[]) => {
      const out = { stderr: "" };
      const done = runCli(args, {
        onData: (stream, text) => {
          if (stream === "stderr") out.stderr += text;
        },
      });
      return { out, done };
    };
    const first = run(installArgs(file, enginesDir));
    await until("the first install is downloading", () => requestsOf("gated", before).length === 1);
    const second = run(installArgs(file, enginesDir));
    await until("the second install waits", () => second.out.stderr.includes("waiting for another install"));
    server.openGate();
    const [a, b] = await Promise.all([first.done, second.done]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(a.stdout).toContain(`installed: hello ${packed.version}`);
    expect(b.stdout).toContain("already installed");
    expect(b.stderr).toMatch(new RegExp(`waiting for another install of ${filename.replaceAll(".", "\\.")}: process \\d+`));
    expect(requestsOf("gated", before)).toHaveLength(1);
    expect(await readdir(join(enginesDir, "hello", packed.version))).toEqual([platform]);
    expect(await readdir(join(enginesDir, ".downloads"))).toEqual([]);
  });
});

describe("retries", () => {
  it("a connection dropping every 1,500 bytes: each attempt makes progress, so the budget never runs out", async () => {
    const enginesDir = join(await tempDir(), "engines");
    const before = server.requests.length;
    const result = await runCli([...installArgs(await registryFor("drip"), enginesDir), "--retries", "1"]);
    expect(result.code, result.stderr).toBe(0);
    const ranges = requestsOf("drip", before).map((r) => r.range);
    const expected = Array.from({ length: Math.ceil(packed.size / 1500) }, (_, i) => (i === 0 ? undefined : `bytes=${i * 1500}-`));
    expect(ranges).toEqual(expected);
    expect(await readdir(join(enginesDir, "hello", packed.version))).toEqual([platform]);
  });

  it("keeps every received byte when it gives up; the next run resumes from there", async () => {
    const enginesDir = join(await tempDir(), "engines");
    const error = await installResolved(await resolutionFor("drip"), enginesDir, { verifier: packageVerifier }, { retries: 0, backoffMs: 1 }).catch((e) => e);
    expect(error).toBeInstanceOf(DownloadError);
    const part = join(enginesDir, ".downloads", `${filename}.part`);
    expect((await stat(part)).size).toBe(1500);
    expect((await readFile(part)).equals((await readFile(packed.file)).subarray(0, 1500))).toBe(true);
    const before = server.requests.length;
    const resumed = await installResolved(await resolutionFor("ok"), enginesDir, { verifier: packageVerifier });
    expect(resumed.alreadyInstalled).toBe(false);
    expect(requestsOf("ok", before).map((r) => r.range)).toEqual(["bytes=1500-"]);
  });
});

describe("a stale partial file from another upload of the same name", () => {
  /** The first half of another package with the same file name: what an older upload left in .part. */
  async function stalePart(enginesDir: string, withRecord: boolean): Promise<string> {
    const other = await makePackage(await tempDir(), { version: packed.version, engineId: "hello", payload: "an older upload" });
    expect(other.filename).toBe(filename);
    const downloads = join(enginesDir, ".downloads");
    await mkdir(downloads, { recursive: true });
    const bytes = await readFile(other.path);
    await writeFile(join(downloads, `${filename}.part`), bytes.subarray(0, Math.floor(packed.size / 2)));
    // What the older run recorded: the same index sha256 (the index was not updated yet), the old ETag.
    if (withRecord) await writeJson(join(downloads, `${filename}.part.json`), { url: "x", sha256: packed.sha256, etag: '"an-older-etag"' });
    return other.path;
  }

  it("without validators: the resume's sha256 fails, it restarts once from zero and installs", async () => {
    const enginesDir = join(await tempDir(), "engines");
    await stalePart(enginesDir, false);
    const before = server.requests.length;
    const result = await runCli(installArgs(await registryFor("ok"), enginesDir));
    expect(result.code, result.stderr).toBe(0);
    expect(plain(result.stderr)).toMatch(/the resumed download's sha256 is [0-9a-f]{64}, not the index's; downloading again from zero/);
    expect(requestsOf("ok", before).map((r) => r.range)).toEqual([`bytes=${Math.floor(packed.size / 2)}-`, undefined]);
    expect(result.stdout).toContain(`installed: hello ${packed.version}`);
    expect(await readdir(join(enginesDir, ".downloads"))).toEqual([]);
  });

  it("with the old ETag recorded: If-Range makes the server send the whole file, no byte of the old upload is used", async () => {
    const enginesDir = join(await tempDir(), "engines");
    await stalePart(enginesDir, true);
    const before = server.requests.length;
    const result = await runCli(installArgs(await registryFor("ok"), enginesDir));
    expect(result.code, result.stderr).toBe(0);
    expect(requestsOf("ok", before).map((r) => [r.range, r.ifRange])).toEqual([[`bytes=${Math.floor(packed.size / 2)}-`, '"an-older-etag"']]);
    expect(plain(result.stderr)).toContain("(its copy changed since); starting from zero");
  });

  it("a resumed download whose bytes are still wrong after one restart: one line saying what was compared", async () => {
    const enginesDir = join(await tempDir(), "engines");
    await stalePart(enginesDir, false);
    const before = server.requests.length;
    // "tampered" serves the package with one byte flipped: the index's size, another sha256.
    const result = await runCli(installArgs(await registryFor("tampered"), enginesDir));
    expect(result.code).toBe(1);
    expect(requestsOf("tampered", before).map((r) => r.range)).toEqual([`bytes=${Math.floor(packed.size / 2)}-`, undefined]);
    const error = result.stderr.split("\n").find((l) => l.startsWith("error:"));
    expect(error).toMatch(new RegExp(`the ${packed.size} bytes received have sha256 [0-9a-f]{64}, the index lists ${packed.sha256} for ${filename.replaceAll(".", "\\.")}`));
    expect(result.stderr).toContain("downloading again from zero");
    // The URL's path says "tampered" (the test server's mode); the words of the message do not.
    expect(plain(result.stderr).replaceAll("/tampered/", "/")).not.toMatch(/tamper/i);
    expect(await readdir(join(enginesDir, ".downloads"))).toEqual([]);
  });

  it("--json: the mismatch is an error with a stable code and the two sha256 as facts", async () => {
    const enginesDir = join(await tempDir(), "engines");
    const result = await runCli([...installArgs(await registryFor("tampered"), enginesDir), "--json"]);
    expect(result.code).toBe(1);
    const { error } = JSON.parse(result.stdout);
    expect(error).toMatchObject({ code: "HASH_MISMATCH", exitCode: 1, facts: { expected: packed.sha256, size: packed.size, filename, url: expect.stringContaining("/tampered/") } });
    expect(error.facts.actual).toMatch(/^[0-9a-f]{64}$/);
    expect(error.facts.actual).not.toBe(packed.sha256);
    expect(error.message).toContain(`have sha256 ${error.facts.actual}, the index lists ${packed.sha256}`);
  });
});

describe("the hosted file is not the published one", () => {
  it("re-uploaded while downloading (a new ETag on the resume): starts again from zero and installs, no crash", async () => {
    const enginesDir = join(await tempDir(), "engines");
    const before = server.requests.length;
    const result = await runCli(installArgs(await registryFor("reuploaded"), enginesDir));
    expect(result.code, result.stderr).toBe(0);
    expect(plain(result.stderr)).toContain(`${server.url}/reuploaded/${_tag}/${filename}: the server's copy changed (new ETag/Last-Modified) while downloading; downloading again from zero`);
    expect(requestsOf("reuploaded", before).map((r) => [r.range, r.ifRange])).toEqual([
      [undefined, undefined],
      [`bytes=${Math.floor(packed.size / 2)}-`, '"upload-1"'],
      [undefined, undefined],
    ]);
    expect(result.stdout).toContain(`installed: hello ${packed.version}`);
  });

  it("shorter than the index says (its Content-Length): one line at once, no retries, no partial file kept", async () => {
    const file = await registryFor("ok");
    const index = JSON.parse(await readFile(file, "utf8"));
    index.engines[0].packages[0].size = packed.size + 1000;
    await writeJson(file, index);
    const enginesDir = join(await tempDir(), "engines");
    const before = server.requests.length;
    const result = await runCli(installArgs(file, enginesDir));
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n").filter((l) => l.startsWith("error:") || l.startsWith("warning:"))).toEqual([
      `error: ${server.url}/ok/${_tag}/${filename}: the server's file is ${packed.size} bytes, the index lists ${packed.size + 1000} for it`,
    ]);
    expect(requestsOf("ok", before)).toHaveLength(1);
    expect(await readdir(join(enginesDir, ".downloads"))).toEqual([]);
  });
});

describe("the engines folder cannot take the bytes", () => {
  /** The CLI under a file size limit of 8 KiB (RLIMIT_FSIZE, SIGXFSZ handled): a write past it is cut short, the next fails with EFBIG. */
  // Node 20 resets SIGXFSZ to its default (kill) at start-up; a handler makes the write fail with EFBIG instead.
  const ignoreXfsz = 'data:text/javascript,process.on("SIGXFSZ",()=>{})';
  const limitedCli = (args: string[]) => runCli(args, { wrapper: ["sh", "-c", 'ulimit -f 8; exec "$0" "$@"'], nodeArgs: ["--import", ignoreXfsz] });

  it("the partial file cannot grow (a short write, then EFBIG, as a filling disk does with ENOSPC): one line at once, not five network retries", async () => {
    const enginesDir = join(await tempDir(), "engines");
    const part = join(enginesDir, ".downloads", `${filename}.part`);
    expect(packed.size).toBeGreaterThan(8192);
    const before = server.requests.length;
    const result = await limitedCli(installArgs(await registryFor("ok"), enginesDir));
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n").filter((l) => l.startsWith("error:") || l.startsWith("warning:"))).toEqual([
      `error: ${server.url}/ok/${_tag}/${filename}: cannot write ${part}: the file is larger than this process may write (EFBIG)`,
    ]);
    expect(result.stderr).toContain("hint: free space there (or pick another --engines-dir), then install again");
    expect(requestsOf("ok", before)).toHaveLength(1);
  });

  it("the extracted files cannot be written: the message blames the engines folder, not the package", async () => {
    const enginesDir = join(await tempDir(), "engines");
    const result = await limitedCli(["install", packed.file, "--engines-dir", enginesDir]);
    expect(result.code).toBe(1);
    const errors = result.stderr.split("\n").filter((l) => l.startsWith("error:"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^error: ${filename.replaceAll(".", "\\.")} could not be extracted into the engines folder: EXTRACT_WRITE_FAILED package/\\S+: could not write: EFBIG`));
    expect(result.stderr).toContain("hint: nothing was installed; free space there (or pick another --engines-dir), then install again");
    expect(await readdir(join(enginesDir, "hello", packed.version)).catch(() => [])).toEqual([]);
  });
});
