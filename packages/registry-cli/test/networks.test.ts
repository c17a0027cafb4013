import { readdir, readFile, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { MIRROR_TOKEN, MIRROR_USER, type PackageServer, startPackageServer } from "./helpers/package-server.js";
import { type ProxyProcess, startProxy } from "./helpers/proxy-server.js";
import { publishHello } from "./helpers/published-hello.js";
import { tempDir } from "@baiengine/test-kit";
import { type CliRun, runCli } from "./helpers/run-cli.js";
import { makeTestCa, type TestCa } from "./helpers/test-ca.js";

// Several CLI processes per test: seconds alone, minutes on a machine shared by several test runs.
vi.setConfig({ testTimeout: 180_000 });

const packed = inject("packedHello");
const PLATFORM = ["--os", "linux", "--arch", "x86_64", "--accel", "cpu"];
const errorLine = (run: CliRun) => run.stderr.split("\n").find((l) => l.startsWith("error: ")) ?? "";
let registry: string;
let mirror: string;
let ca: TestCa;
let httpsMirror: PackageServer;
let httpMirror: PackageServer;
let proxy: ProxyProcess;

beforeAll(async () => {
  ({ registry, mirror } = await publishHello(packed));
  ca = makeTestCa(await tempDir());
  httpsMirror = await startPackageServer(mirror, { tls: { key: ca.key, cert: ca.cert } });
  httpMirror = await startPackageServer(mirror);
  proxy = await startProxy();
});

afterAll(async () => {
  await httpsMirror?.close();
  await httpMirror?.close();
  await proxy?.stop();
});

/** Every file under `dir`, links included, with its bytes (a link: its target). */
async function filesUnder(dir: string): Promise<{ path: string; bytes: Buffer }[]> {
  const out: { path: string; bytes: Buffer }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile()) out.push({ path, bytes: await readFile(path) });
    else if (entry.isSymbolicLink()) out.push({ path, bytes: Buffer.from(await readlink(path)) });
  }
  return out;
}

/** The forms a leaked credential takes: the token as given, and user:token as a Basic header carries it. */
const LEAKS = [MIRROR_TOKEN, Buffer.from(`${MIRROR_USER}:${MIRROR_TOKEN}`).toString("base64"), encodeURIComponent(MIRROR_TOKEN)];

function expectNoCredential(runs: CliRun[], files: { path: string; bytes: Buffer }[]): void {
  for (const run of runs) for (const leak of LEAKS) expect(`${run.stdout}\n${run.stderr}`).not.toContain(leak);
  for (const file of files) for (const leak of LEAKS) expect(file.bytes.includes(leak), `${file.path} holds the credential`).toBe(false);
}

describe("a corporate network: a proxy, a CA that re-signs, a private mirror", () => {
  it("installs through the HTTPS proxy (CONNECT) from a basic-auth mirror trusting SSL_CERT_FILE's CA; no credential printed or stored", async () => {
    const enginesDir = join(await tempDir(), "engines");
    const baseUrl = `https://${MIRROR_USER}:${MIRROR_TOKEN}@localhost:${new URL(httpsMirror.url).port}/private-ok`;
    const env = { HTTPS_PROXY: proxy.url, SSL_CERT_FILE: ca.caFile, NODE_EXTRA_CA_CERTS: "" };
    const args = ["install", "--registry", registry, "--engine", "hello", ...PLATFORM, "--base-url", baseUrl, "--engines-dir", enginesDir];
    const dryRun = await runCli([...args, "--dry-run", "--json"], { env });
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toContain(`https://***@localhost:${new URL(httpsMirror.url).port}/private-ok/`);
    const before = proxy.log().length;
    const install = await runCli([...args, "--json"], { env });
    expect(install.code, install.stderr).toBe(0);
    expect(JSON.parse(install.stdout)).toMatchObject({ engineId: "hello", alreadyInstalled: false });
    expect(proxy.log().slice(before)).toContain(`CONNECT localhost:${new URL(httpsMirror.url).port}`);
    expectNoCredential([dryRun, install], await filesUnder(enginesDir));
  });

  it("a download interrupted at the private mirror leaves a resume record without the credential", async () => {
    const enginesDir = join(await tempDir(), "engines");
    // Headers, then silence: the partial file and its record are made, then the download times out.
    const baseUrl = `http://${MIRROR_USER}:${MIRROR_TOKEN}@127.0.0.1:${new URL(httpMirror.url).port}/private-slow`;
    const run = await runCli(["install", "--registry", registry, "--engine", "hello", ...PLATFORM, "--base-url", baseUrl, "--engines-dir", enginesDir, "--retries", "1", "--timeout", "1"]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toMatch(/^error: http:\/\/\*\*\*@127\.0\.0\.1:\d+\/private-slow\/.*timeout/);
    const files = await filesUnder(enginesDir);
    const record = files.find((f) => f.path.endsWith(".part.json"));
    expect(JSON.parse(record!.bytes.toString()).url).toMatch(/^http:\/\/\*\*\*@127\.0\.0\.1:\d+\/private-slow\//);
    expect(files.some((f) => f.path.endsWith(".part"))).toBe(true);
    expectNoCredential([run], files);
  });

  it("NO_PROXY sends the mirror's requests direct; without the CA the TLS failure is named", async () => {
    const port = new URL(httpsMirror.url).port;
    const args = (dir: string) => ["install", "--registry", registry, "--engine", "hello", ...PLATFORM, "--base-url", `https://localhost:${port}/ok`, "--engines-dir", dir, "--retries", "1"];
    const before = proxy.log().length;
    const direct = await runCli(args(join(await tempDir(), "e")), { env: { HTTPS_PROXY: proxy.url, NO_PROXY: "localhost", NODE_EXTRA_CA_CERTS: ca.caFile, SSL_CERT_FILE: "" } });
    expect(direct.code, direct.stderr).toBe(0);
    expect(proxy.log().slice(before)).toEqual([]);
    const untrusted = await runCli(args(join(await tempDir(), "e")), { env: { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: "", SSL_CERT_FILE: "" } });
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/certificate/);
  });

  it("401 says authentication failed and which credential was sent, once, without retrying; a token works as a Bearer header", async () => {
    const base = `${httpMirror.url}/private-ok`;
    const none = await runCli(["install", "--registry", registry, "--engine", "hello", ...PLATFORM, "--base-url", base, "--engines-dir", join(await tempDir(), "e")]);
    expect(none.code).toBe(1);
    expect(errorLine(none)).toMatch(/^error: http:\/\/127\.0\.0\.1:\d+\/private-ok\/.*: HTTP 401: authentication failed \(no credential was sent\)$/);
    expect(none.stderr).not.toMatch(/retrying|try again later/);
    const wrong = await runCli(["install", "--registry", registry, "--engine", "hello", ...PLATFORM, "--base-url", base, "--engines-dir", join(await tempDir(), "e")], { env: { BAIENGINE_AUTH_TOKEN: "wrong-token-1234" } });
    expect(errorLine(wrong)).toMatch(/authentication failed \(sent the BAIENGINE_AUTH_TOKEN environment variable\)$/);
    expect(wrong.stderr).not.toContain("wrong-token-1234");
    const enginesDir = join(await tempDir(), "e");
    const token = await runCli(["install", "--registry", registry, "--engine", "hello", ...PLATFORM, "--base-url", base, "--engines-dir", enginesDir, "--auth-token", MIRROR_TOKEN]);
    expect(token.code, token.stderr).toBe(0);
    expectNoCredential([none, wrong, token], await filesUnder(enginesDir));
  });
});

describe("servers that say later, and servers that refuse HEAD", () => {
  it("503 with Retry-After in seconds, 429 with an HTTP date: waited as asked, the message says what the server asked", async () => {
    for (const mode of ["busy", "ratelimited"]) {
      const run = await runCli(["install", "--registry", registry, "--engine", "hello", ...PLATFORM, "--base-url", `${httpMirror.url}/${mode}`, "--engines-dir", join(await tempDir(), "e")]);
      expect(run.code, run.stderr).toBe(0);
      const asked = mode === "busy" ? /HTTP 503, the server asked to retry after 1 s \(Retry-After\); retrying in 1 s/ : /HTTP 429, the server asked to retry after 2 s \(Retry-After\); retrying in 2 s/;
      expect(run.stderr).toMatch(asked);
    }
  });

  it("a wait longer than --max-retry-wait fails at once, saying both", async () => {
    const run = await runCli(["install", "--registry", registry, "--engine", "hello", ...PLATFORM, "--base-url", `${httpMirror.url}/longwait`, "--engines-dir", join(await tempDir(), "e"), "--max-retry-wait", "10"]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toMatch(/HTTP 503, the server asked to retry after 60 min \(Retry-After\), longer than the 10 s this install waits \(--max-retry-wait\)$/);
    expect(httpMirror.requests.filter((r) => r.mode === "longwait")).toHaveLength(1);
  });

  it("validate --check-urls: a host that refuses HEAD (405) is checked with a ranged GET, through the proxy", async () => {
    const index = JSON.parse(await readFile(registry, "utf8"));
    index.baseUrl = `${httpMirror.url}/nohead`;
    const file = join(await tempDir(), "engines.json");
    await writeFile(file, JSON.stringify(index));
    const before = proxy.log().length;
    const run = await runCli(["validate", "--registry", file, "--check-urls"], { env: { HTTP_PROXY: proxy.url } });
    expect(run.code, run.stderr).toBe(0);
    const seen = proxy.log().slice(before).map((l) => l.split(" ")[0]);
    expect(seen).toEqual(["HEAD", "GET"]);
    expect(httpMirror.requests.filter((r) => r.mode === "nohead").map((r) => `${r.method} ${r.range ?? ""}`)).toEqual(["HEAD ", "GET bytes=0-0"]);
  });
});
