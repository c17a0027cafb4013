import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { tempDir } from "@baiengine/test-kit";
import { cli, keyEnv, mustRun, roleKeyPem, signedSites } from "./helpers/signed-site.js";

/** The registry's side with the real CLI: `trust init`, `sign`, `trust timestamp`, `trust rotate`. */
const packed = inject("packedHello");
const site = signedSites(packed);

const readJson = async (file: string) => JSON.parse(await readFile(file, "utf8"));
const hoursUntil = (iso: string) => (new Date(iso).getTime() - Date.now()) / 3_600_000;

describe("trust init", () => {
  it("writes Ed25519 keys (PKCS#8 PEM, mode 0600, folder 0700, never printed) and root version 1", async () => {
    const work = await tempDir();
    const run = await mustRun(["trust", "init", "--metadata-dir", join(work, "metadata"), "--keys-dir", join(work, "keys"), "--root-keys", "2", "--root-threshold", "2", "--json"]);
    const keys = (await readdir(join(work, "keys"))).sort();
    expect(keys).toHaveLength(5);
    expect(keys.filter((k) => k.startsWith("root-"))).toHaveLength(2);
    for (const k of keys) {
      const file = join(work, "keys", k);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const pem = await readFile(file, "utf8");
      expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      const body = pem.split("\n")[1]!;
      expect(run.stdout + run.stderr).not.toContain(body);
    }
    expect((await stat(join(work, "keys"))).mode & 0o777).toBe(0o700);
    expect(run.stdout).not.toContain("PRIVATE KEY");
    const root = await readJson(join(work, "metadata", "root.json"));
    expect(await readJson(join(work, "metadata", "1.root.json"))).toEqual(root);
    expect(root.signed).toMatchObject({ _type: "root", version: 1, consistent_snapshot: true });
    expect(root.signed.roles.root.threshold).toBe(2);
    expect(root.signatures).toHaveLength(2);
    for (const key of Object.values(root.signed.keys) as { keytype: string; scheme: string }[]) expect(key).toMatchObject({ keytype: "ed25519", scheme: "ed25519" });
    expect(hoursUntil(root.signed.expires) / 24).toBeGreaterThan(364);
    const again = await cli(["trust", "init", "--metadata-dir", join(work, "metadata"), "--keys-dir", join(work, "keys2")]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/root\.json already exists/);
  });

  it("refuses a threshold its keys cannot meet, writing nothing", async () => {
    const work = await tempDir();
    const run = await cli(["trust", "init", "--metadata-dir", join(work, "metadata"), "--keys-dir", join(work, "keys"), "--root-keys", "2", "--root-threshold", "3"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/a root threshold of 3 cannot be met by 2 root key\(s\)/);
    expect(await readdir(work)).toEqual([]);
  });
});

describe("sign", () => {
  it("lists the index, packages.json and every package under {tag}/{filename} with custom fields; consistent snapshots, one version up each time", async () => {
    const s = await site();
    await writeFile(join(s.root, "registry", "packages.json"), "{}\n");
    await mustRun(["sign", "--registry", s.registryFile, "--metadata-dir", s.metadataDir, "--keys-dir", s.keysDir]);
    const files = (await readdir(s.metadataDir)).sort();
    expect(files).toEqual(["1.root.json", "1.snapshot.json", "1.targets.json", "2.snapshot.json", "2.targets.json", "root.json", "timestamp.json"]);
    const targets = (await readJson(join(s.metadataDir, "2.targets.json"))).signed;
    expect(Object.keys(targets.targets).sort()).toEqual(["engines.json", `hello-v${packed.version}/${s.filename}`, "packages.json"]);
    expect(targets.targets[`hello-v${packed.version}/${s.filename}`]).toEqual({
      length: packed.size,
      hashes: { sha256: packed.sha256 },
      custom: { engine: "hello", version: packed.version, os: "linux", arch: "x86_64", accelerator: "cpu" },
    });
    const timestamp = (await readJson(join(s.metadataDir, "timestamp.json"))).signed;
    expect(timestamp.version).toBe(2);
    expect(timestamp.meta["snapshot.json"]).toMatchObject({ version: 2, length: (await readFile(join(s.metadataDir, "2.snapshot.json"))).length });
    // Expiry defaults: targets about 90 days, snapshot 7, timestamp 1.
    expect(Math.round(hoursUntil(targets.expires) / 24)).toBe(90);
    expect(Math.round(hoursUntil((await readJson(join(s.metadataDir, "2.snapshot.json"))).signed.expires) / 24)).toBe(7);
    expect(Math.round(hoursUntil(timestamp.expires))).toBe(24);
  });

  it("takes keys from environment variables (CI secrets) and expiry flags", async () => {
    const s = await site();
    const env = await keyEnv(s.keysDir, ["targets", "snapshot", "timestamp"]);
    await mustRun(["sign", "--registry", s.registryFile, "--metadata-dir", s.metadataDir, "--timestamp-expires", "6h"], env);
    expect(Math.round(hoursUntil((await readJson(join(s.metadataDir, "timestamp.json"))).signed.expires))).toBe(6);
  });

  it("refuses a key given for the wrong role, and too few keys, writing nothing", async () => {
    const s = await site();
    const before = (await readdir(s.metadataDir)).sort();
    const env = { ...(await keyEnv(s.keysDir, ["snapshot", "timestamp"])), BAIENGINE_TUF_TARGETS_KEY: await roleKeyPem(s.keysDir, "timestamp") };
    const wrong = await cli(["sign", "--registry", s.registryFile, "--metadata-dir", s.metadataDir], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/the key given for targets \(\$BAIENGINE_TUF_TARGETS_KEY, key id [0-9a-f]{16}…\) is not a targets key in root\.json version 1 \(it is a timestamp key\)/);
    const none = await cli(["sign", "--registry", s.registryFile, "--metadata-dir", s.metadataDir], await keyEnv(s.keysDir, ["snapshot", "timestamp"]));
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/targets needs 1 signature\(s\), 0 targets key\(s\) given/);
    expect((await readdir(s.metadataDir)).sort()).toEqual(before);
  });

  it("never lets a reader see a timestamp naming a snapshot not yet written", async () => {
    const s = await site();
    let done = false;
    const missing: number[] = [];
    const watch = (async () => {
      while (!done) {
        const text = await readFile(join(s.metadataDir, "timestamp.json"), "utf8");
        const version = JSON.parse(text).signed.meta["snapshot.json"].version;
        if (!(await stat(join(s.metadataDir, `${version}.snapshot.json`)).then(() => true, () => false))) missing.push(version);
      }
    })();
    for (let i = 0; i < 3; i++) await mustRun(["sign", "--registry", s.registryFile, "--metadata-dir", s.metadataDir, "--keys-dir", s.keysDir]);
    done = true;
    await watch;
    expect(missing).toEqual([]);
    expect((await readJson(join(s.metadataDir, "timestamp.json"))).signed.version).toBe(4);
  });
});

describe("trust timestamp", () => {
  it("re-signs only the timestamp while the snapshot has time left", async () => {
    const s = await site();
    const before = (await readdir(s.metadataDir)).sort();
    const run = await mustRun(["trust", "timestamp", "--metadata-dir", s.metadataDir], await keyEnv(s.keysDir, ["timestamp"]));
    expect(run.stdout).toMatch(/timestamp version 2, expires/);
    expect((await readdir(s.metadataDir)).sort()).toEqual(before);
    expect((await readJson(join(s.metadataDir, "timestamp.json"))).signed.meta["snapshot.json"].version).toBe(1);
  });

  it("renews a snapshot about to expire when given its key, and warns without it", async () => {
    const s = await site();
    await mustRun(["sign", "--registry", s.registryFile, "--metadata-dir", s.metadataDir, "--keys-dir", s.keysDir, "--snapshot-expires", "1d"]);
    const warned = await mustRun(["trust", "timestamp", "--metadata-dir", s.metadataDir], await keyEnv(s.keysDir, ["timestamp"]));
    expect(warned.stderr).toMatch(/the snapshot \(version 2\) expires .*pass its key to `trust timestamp` or run `sign`/);
    const renewed = await mustRun(["trust", "timestamp", "--metadata-dir", s.metadataDir, "--keys-dir", s.keysDir]);
    expect(renewed.stdout).toMatch(/snapshot {2}version 3/);
    const timestamp = (await readJson(join(s.metadataDir, "timestamp.json"))).signed;
    expect(timestamp).toMatchObject({ version: 4, meta: { "snapshot.json": { version: 3 } } });
    expect((await readJson(join(s.metadataDir, "3.snapshot.json"))).signed.meta).toEqual((await readJson(join(s.metadataDir, "2.snapshot.json"))).signed.meta);
  });
});

describe("trust rotate", () => {
  it("writes root N+1 signed by the old and the new root keys and retires the old key files", async () => {
    const s = await site();
    const oldKey = (await readdir(s.keysDir)).find((n) => n.startsWith("root-"))!;
    const run = await mustRun(["trust", "rotate", "--metadata-dir", s.metadataDir, "--keys-dir", s.keysDir, "--json"]);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ version: 2, role: "root", written: ["2.root.json", "root.json"], retired: [oldKey] });
    const root = await readJson(join(s.metadataDir, "2.root.json"));
    expect(root.signatures.map((sig: { keyid: string }) => sig.keyid).sort()).toEqual([...result.removed, ...result.added].sort());
    expect(root.signed.roles.root.keyids).toEqual(result.added);
    expect(await readdir(join(s.keysDir, "retired"))).toEqual([oldKey]);
    expect((await stat(join(s.keysDir, (await readdir(s.keysDir)).find((n) => n.startsWith("root-"))!))).mode & 0o777).toBe(0o600);
  });
});
