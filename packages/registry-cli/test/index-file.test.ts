import { writeFileSync } from "node:fs";
import { mkdir, readdir, readFile, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IndexChangedError, IndexInvalidError, IndexLockedError } from "../src/errors.js";
import { canonicalRegistryText, lockIndex, modifyIndex, readIndex, removeStaleTempFiles, writeFileAtomic } from "../src/index-file/index.js";
import { registryWithUnknownFields, writeJson } from "./helpers/registry-fixtures.js";
import { tempDir } from "@baiengine/test-kit";

describe("canonical engines.json", () => {
  it("orders known fields as in the design, keeps unknown fields after them in their order, two-space indent, trailing newline", async () => {
    const dir = await tempDir();
    const file = join(dir, "engines.json");
    await writeJson(file, registryWithUnknownFields(), false);
    const { registry } = await readIndex(file);
    const text = canonicalRegistryText(registry);
    expect(text.endsWith("}\n")).toBe(true);
    const value = JSON.parse(text);
    expect(Object.keys(value)).toEqual(["schemaVersion", "lastUpdated", "baseUrl", "engines", "futureTopLevel"]);
    expect(Object.keys(value.engines[0])).toEqual(["id", "name", "description", "latestVersion", "modelFormats", "packages", "prerelease", "xEngineNote"]);
    expect(Object.keys(value.engines[0].packages[0])).toEqual(["os", "arch", "accelerator", "acceleratorVersion", "filename", "size", "sha256", "mirrorHint"]);
    expect(Object.keys(value.engines[0].prerelease)).toEqual(["version", "packages", "zPre"]);
    expect(value.futureTopLevel).toEqual([1, 2, 3]);
    expect(value.engines[0].packages[0].mirrorHint).toEqual({ region: "eu", weight: 2 });
    expect(text).toContain('\n  "schemaVersion": 1,\n');
    // Canonical is a fixed point.
    await writeFile(file, text);
    expect(canonicalRegistryText((await readIndex(file)).registry)).toBe(text);
  });

  it("reports an invalid index as path: reason lines", async () => {
    const dir = await tempDir();
    const file = join(dir, "engines.json");
    const bad = registryWithUnknownFields();
    (bad["engines"] as Record<string, unknown>[])[0]!["latestVersion"] = "latest";
    await writeJson(file, bad);
    const error = await readIndex(file).catch((e) => e);
    expect(error).toBeInstanceOf(IndexInvalidError);
    expect(error.issues.some((i: string) => i.startsWith("engines[0].latestVersion: "))).toBe(true);
    await writeFile(file, "{ not json");
    expect((await readIndex(file).catch((e) => e)).issues[0]).toMatch(/^\(root\): has an object key that is not a string \(line 1, column 3\)$/);
  });
});

describe("atomic write", () => {
  it("replaces the file and leaves no temp file; removes the temp file when the write is refused", async () => {
    const dir = await tempDir();
    const file = join(dir, "engines.json");
    await writeFile(file, "old\n");
    await writeFileAtomic(file, "new\n");
    expect(await readFile(file, "utf8")).toBe("new\n");
    expect(await readdir(dir)).toEqual(["engines.json"]);

    const refused = await writeFileAtomic(file, "newer\n", {
      expectedSha256: "0".repeat(64),
      onChanged: () => {
        throw new IndexChangedError("changed");
      },
    }).catch((e) => e);
    expect(refused).toBeInstanceOf(IndexChangedError);
    expect(await readFile(file, "utf8")).toBe("new\n");
    expect(await readdir(dir)).toEqual(["engines.json"]);
  });

  it("removes temp files a killed writer left behind, and only those", async () => {
    const dir = await tempDir();
    const file = join(dir, "engines.json");
    await writeFile(file, "{}\n");
    await writeFile(join(dir, ".engines.json.1234.abcd1234.tmp"), "torn");
    await writeFile(join(dir, ".other.json.1.a.tmp"), "not ours");
    expect(await removeStaleTempFiles(file)).toEqual([".engines.json.1234.abcd1234.tmp"]);
    expect((await readdir(dir)).sort()).toEqual([".other.json.1.a.tmp", "engines.json"]);
  });
});

describe("modifyIndex", () => {
  it("keeps unknown fields at every level and does not rewrite when nothing changes", async () => {
    const dir = await tempDir();
    const file = join(dir, "engines.json");
    await writeJson(file, registryWithUnknownFields());
    const before = await readFile(file, "utf8");
    // First rewrite canonicalises.
    const first = await modifyIndex(file, (i) => ({ registry: i.registry, value: null }));
    expect(first.written).toBe(true);
    const canonical = await readFile(file, "utf8");
    expect(JSON.parse(canonical)).toEqual(JSON.parse(before));
    // Same content again: untouched, byte for byte.
    const second = await modifyIndex(file, (i) => ({ registry: { ...i.registry }, value: null }));
    expect(second.written).toBe(false);
    expect(await readFile(file, "utf8")).toBe(canonical);
  });

  it("refuses when the file changed on disk after it was read (a writer that ignored the lock)", async () => {
    const dir = await tempDir();
    const file = join(dir, "engines.json");
    await writeJson(file, registryWithUnknownFields());
    const error = await modifyIndex(file, (index) => {
      // Simulates another writer that does not take the lock, between our read and our rename.
      const theirs = { ...index.registry, baseUrl: "https://mirror.example.com/engines" };
      writeFileSync(file, `${JSON.stringify(theirs, null, 2)}\n`);
      return { registry: { ...index.registry, lastUpdated: "2026-01-01T00:00:00Z" }, value: null };
    }).catch((e) => e);
    expect(error).toBeInstanceOf(IndexChangedError);
    expect(JSON.parse(await readFile(file, "utf8")).baseUrl).toBe("https://mirror.example.com/engines");
    expect((await readdir(dir)).sort()).toEqual(["engines.json"]);
  });

  it("waits for the lock and names its holder when it times out", async () => {
    const dir = await tempDir();
    const file = join(dir, "engines.json");
    await writeJson(file, registryWithUnknownFields());
    const release = await lockIndex(file);
    const error = await modifyIndex(file, (i) => ({ registry: i.registry, value: null }), { timeoutMs: 300 }).catch((e) => e);
    expect(error).toBeInstanceOf(IndexLockedError);
    expect(error.message).toContain(`process ${process.pid}`);
    expect(error.hint).toContain("engines.json.lock");
    await release();
    await expect(modifyIndex(file, (i) => ({ registry: i.registry, value: 1 }), { timeoutMs: 300 })).resolves.toMatchObject({ value: 1 });
  });

  it("takes over a lock whose holder died (stale mtime)", async () => {
    const dir = await tempDir();
    const file = join(dir, "engines.json");
    await writeJson(file, registryWithUnknownFields());
    await mkdir(`${file}.lock`);
    const old = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, old, old);
    await expect(modifyIndex(file, (i) => ({ registry: i.registry, value: 2 }), { timeoutMs: 2_000 })).resolves.toMatchObject({ value: 2 });
    expect((await readdir(dir)).sort()).toEqual(["engines.json"]);
  });
});
