import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { liveFixture } from "./helpers/live-registry.js";
import { tempDir } from "@baiengine/test-kit";
import { cli, mustRun, signedSites } from "./helpers/signed-site.js";

/**
 * `--registry` as a URL, as the app reads its index: fetched with the install's HTTP client, cached
 * under the engines folder with its validators (a 304 reuses the cache), the cached copy used with
 * a warning naming its age when the network is down. Real CLI, real loopback web server.
 */
const packed = inject("packedHello");
const site = signedSites(packed);
const unsignedSite = () => site(false);
const platform = ["--engine", "hello", "--os", "linux", "--arch", "x86_64", "--accel", "cpu"];

async function cacheFiles(enginesDir: string): Promise<string[]> {
  const [folder] = await readdir(join(enginesDir, "registries"));
  return (await readdir(join(enginesDir, "registries", folder!, "index"))).sort();
}

describe("--registry <http(s) URL>", () => {
  it("fetches the index, caches it with its validators, and a 304 reuses the cache", async () => {
    const s = await unsignedSite();
    const engines = await tempDir();
    const first = await mustRun(["resolve", "--registry", s.indexUrl, ...platform, "--engines-dir", engines, "--json"]);
    expect(JSON.parse(first.stdout).url).toBe(`${s.server.url}/releases/hello-v${packed.version}/${s.filename}`);
    expect(await cacheFiles(engines)).toEqual(["cache.json", "engines.json"]);
    const second = await mustRun(["resolve", "--registry", s.indexUrl, ...platform, "--engines-dir", engines, "--json"]);
    expect(JSON.parse(second.stdout).url).toBe(JSON.parse(first.stdout).url);
    const indexRequests = s.server.requests.filter((r) => r.path === "/registry/engines.json").map((r) => r.status);
    expect(indexRequests).toEqual([200, 304]);
    // No temporary file is left beside the cache.
    expect(await cacheFiles(engines)).toEqual(["cache.json", "engines.json"]);
  });

  it("a changed index replaces the cached copy", async () => {
    const s = await unsignedSite();
    const engines = await tempDir();
    await mustRun(["list", "--registry", s.indexUrl, "--engines-dir", engines]);
    const index = JSON.parse(await readFile(s.registryFile, "utf8"));
    index.engines[0].description = "changed on the server";
    await writeFile(s.registryFile, JSON.stringify(index));
    await mustRun(["list", "--registry", s.indexUrl, "--engines-dir", engines]);
    const [folder] = await readdir(join(engines, "registries"));
    expect(await readFile(join(engines, "registries", folder!, "index", "engines.json"), "utf8")).toContain("changed on the server");
    expect(s.server.requests.filter((r) => r.path === "/registry/engines.json").map((r) => r.status)).toEqual([200, 200]);
  });

  it("offline: the cached copy is used with a warning naming its age; without a cache it is one line", async () => {
    const s = await unsignedSite();
    const engines = await tempDir();
    await mustRun(["resolve", "--registry", s.indexUrl, ...platform, "--engines-dir", engines]);
    await s.close();
    const offline = await mustRun(["resolve", "--registry", s.indexUrl, ...platform, "--engines-dir", engines, "--json"]);
    expect(JSON.parse(offline.stdout).entry.filename).toBe(s.filename);
    expect(offline.stderr).toMatch(/engines\.json: .*ECONNREFUSED.*; using the cached copy from \d+ seconds? ago \(\d{4}-\d\d-\d\dT/);
    const none = await cli(["resolve", "--registry", s.indexUrl, ...platform, "--engines-dir", await tempDir()]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/engines\.json: .*ECONNREFUSED/);
    expect(none.stderr).toMatch(/no cached copy of this index exists yet/);
  });

  it("offline with trust: the cached index and the unexpired cached metadata are used, each with a warning", async () => {
    const s = await site();
    const engines = await tempDir();
    await mustRun(["resolve", "--registry", s.indexUrl, ...platform, "--engines-dir", engines, "--trust", s.trustedRoot]);
    await s.close();
    const offline = await mustRun(["resolve", "--registry", s.indexUrl, ...platform, "--engines-dir", engines, "--json"]);
    expect(JSON.parse(offline.stdout)).toMatchObject({ entry: { sha256: packed.sha256 }, trust: { root: 1, timestamp: 1, snapshot: 1, targets: 1 } });
    expect(offline.stderr).toMatch(/registry metadata: http:\/\/127\.0\.0\.1:\d+\/registry\/metadata\/2\.root\.json: .*ECONNREFUSED.*; using the cached metadata \(still unexpired\)/);
    expect(offline.stderr).toMatch(/using the cached copy from \d+ seconds? ago/);
  });

  it("a 404 is an error, not a reason to use the cache", async () => {
    const s = await unsignedSite();
    const engines = await tempDir();
    await mustRun(["resolve", "--registry", s.indexUrl, ...platform, "--engines-dir", engines]);
    const { rm } = await import("node:fs/promises");
    await rm(s.registryFile);
    const run = await cli(["resolve", "--registry", s.indexUrl, ...platform, "--engines-dir", engines]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/engines\.json: HTTP 404/);
  });

  it("installs from an index read by URL (unsigned registry: no metadata asked for)", async () => {
    const s = await unsignedSite();
    const engines = await tempDir();
    const run = await mustRun(["install", "--registry", s.indexUrl, ...platform, "--engines-dir", engines]);
    expect(run.stdout).toContain(`installed: hello ${packed.version}`);
    expect(s.server.requests.some((r) => r.path.includes("/metadata/"))).toBe(false);
  });

  it("reads the app's live packages.json from its URL", async () => {
    const s = await unsignedSite();
    const live = liveFixture("live-packages.json");
    await writeFile(join(s.root, "registry", "packages.json"), JSON.stringify(live));
    const run = await mustRun(["list", "--registry", `${s.server.url}/registry/packages.json`, "--engines-dir", await tempDir(), "--json"]);
    const engines = new Set(JSON.parse(run.stdout).map((r: { engine: string }) => r.engine));
    expect([...engines].sort()).toEqual([...new Set<string>(live.engines.map((e: { id: string }) => e.id))].sort());
  });

  it("a file:// URL reads the local file", async () => {
    const s = await unsignedSite();
    const run = await mustRun(["resolve", "--registry", pathToFileURL(s.registryFile).href, ...platform, "--engines-dir", await tempDir(), "--json"]);
    expect(JSON.parse(run.stdout).entry.sha256).toBe(packed.sha256);
  });
});
