import { copyFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Metadata, Targets } from "@tufjs/models";
import { describe, expect, inject, it } from "vitest";
import { initTrust } from "../src/trust/trust-init.js";
import { metaFileOf, readMetadataFile, rootFile, versionedFile } from "../src/trust/metadata-dir.js";
import { buildRoot, roleKeysOf } from "../src/trust/root-builder.js";
import { generateRoleKey, loadRoleKeys, signerFor } from "../src/trust/role-keys.js";
import { renewTimestamp } from "../src/trust/renew-timestamp.js";
import { signAndWrite, signRegistry, writeSnapshotAndTimestamp, writeTimestamp } from "../src/trust/sign-registry.js";
import { tempDir } from "@baiengine/test-kit";
import { cli, currentMetadata, installedHello, keyEnv, mustRun, type SignedSite, signedSites } from "./helpers/signed-site.js";

/**
 * One test per attack on a signed registry (TUF spec 1.0 §1.5.2), each served as a real repository
 * would be: the real `trust init` and `sign` made the metadata, a loopback web server serves it, and
 * the attacker's files are written with the keys they are supposed to hold. The app side is the real
 * CLI: `install --trust` must refuse in one line naming the role and the reason, and install nothing.
 */
const packed = inject("packedHello");
const site = signedSites(packed);
const DAY = 86_400_000;

const platform = ["--engine", "hello", "--os", "linux", "--arch", "x86_64", "--accel", "cpu"];

/** `resolve --trust`: the client sees (and remembers) the current metadata, installing nothing. */
async function baseline(s: SignedSite, enginesDir: string): Promise<void> {
  await mustRun(["resolve", "--registry", s.indexUrl, ...platform, "--engines-dir", enginesDir, "--trust", s.trustedRoot]);
}

/** `install --trust` must fail with exit 1 and one error line; nothing is installed. */
async function expectRefused(s: SignedSite, enginesDir: string, line: RegExp): Promise<string> {
  const run = await cli(["install", "--registry", s.indexUrl, ...platform, "--engines-dir", enginesDir, "--trust", s.trustedRoot]);
  expect(run.code, run.stdout + run.stderr).toBe(1);
  const errors = run.stderr.split("\n").filter((l) => l.startsWith("error: "));
  expect(errors, run.stderr).toHaveLength(1);
  expect(errors[0]).toMatch(line);
  expect(await installedHello(enginesDir)).toEqual([]);
  return run.stderr;
}

async function signAgain(s: SignedSite): Promise<void> {
  await mustRun(["sign", "--registry", s.registryFile, "--metadata-dir", s.metadataDir, "--keys-dir", s.keysDir]);
}

describe("rollback", () => {
  it("an older timestamp than the one already seen", async () => {
    const s = await site();
    const old = await readFile(join(s.metadataDir, "timestamp.json"));
    await signAgain(s);
    const engines = await tempDir();
    await baseline(s, engines);
    await writeFile(join(s.metadataDir, "timestamp.json"), old);
    await expectRefused(s, engines, /timestamp metadata refused \(rollback\): version 1 is below the trusted version 2/);
  });

  it("a timestamp (signed with the timestamp key) naming an older snapshot", async () => {
    const s = await site();
    await signAgain(s);
    const engines = await tempDir();
    await baseline(s, engines);
    const current = await currentMetadata(s.metadataDir);
    const oldSnapshot = await readMetadataFile(s.metadataDir, versionedFile("snapshot", 1), "snapshot");
    await writeTimestamp(s.metadataDir, current, oldSnapshot, await loadRoleKeys("timestamp", { keysDir: s.keysDir }), new Date(), {});
    await expectRefused(s, engines, /snapshot metadata refused \(rollback\): the timestamp names snapshot version 1, below the trusted version 2/);
  });

  it("a snapshot (signed with the online keys) naming older targets", async () => {
    const s = await site();
    await signAgain(s);
    const engines = await tempDir();
    await baseline(s, engines);
    const current = await currentMetadata(s.metadataDir);
    const oldTargets = await readMetadataFile(s.metadataDir, versionedFile("targets", 1), "targets");
    const keys = { snapshot: await loadRoleKeys("snapshot", { keysDir: s.keysDir }), timestamp: await loadRoleKeys("timestamp", { keysDir: s.keysDir }) };
    await writeSnapshotAndTimestamp(s.metadataDir, current, oldTargets, keys, new Date(), {});
    await expectRefused(s, engines, /targets metadata refused \(rollback\)/);
  });
});

describe("freeze: expired metadata is refused, saying how long ago it expired", () => {
  it("timestamp", async () => {
    const s = await site();
    await signRegistry({ registryFile: s.registryFile, metadataDir: s.metadataDir, keys: { keysDir: s.keysDir }, now: new Date(Date.now() - 2 * DAY) });
    const stderr = await expectRefused(s, await tempDir(), /timestamp metadata refused \(expired\): timestamp\.json expired (1 day|2\d hours) ago/);
    expect(stderr).toContain("engines already installed keep working");
  });

  it("snapshot (the timestamp job kept running, nobody re-signed the snapshot)", async () => {
    const s = await site();
    await signRegistry({ registryFile: s.registryFile, metadataDir: s.metadataDir, keys: { keysDir: s.keysDir }, now: new Date(Date.now() - 10 * DAY) });
    const renewed = await renewTimestamp({ metadataDir: s.metadataDir, keys: { env: await keyEnv(s.keysDir, ["timestamp"]) } });
    expect(renewed.warning).toMatch(/snapshot .* expires/);
    await expectRefused(s, await tempDir(), /snapshot metadata refused \(expired\): snapshot\.json expired (3 days|2 days) ago/);
  });

  it("targets", async () => {
    const s = await site();
    const longer = { snapshot: 400 * 86_400, timestamp: 400 * 86_400, targets: 86_400 };
    await signRegistry({ registryFile: s.registryFile, metadataDir: s.metadataDir, keys: { keysDir: s.keysDir }, now: new Date(Date.now() - 100 * DAY), expiry: longer });
    await expectRefused(s, await tempDir(), /targets metadata refused \(expired\): targets\.json expired (98|99) days ago/);
  });

  it("root", async () => {
    const s = await site(false);
    await initTrust({ metadataDir: s.metadataDir, keysDir: s.keysDir, now: new Date(Date.now() - 400 * DAY) });
    await mustRun(["sign", "--registry", s.registryFile, "--metadata-dir", s.metadataDir, "--keys-dir", s.keysDir]);
    await copyFile(join(s.metadataDir, "root.json"), s.trustedRoot);
    await expectRefused(s, await tempDir(), /root metadata refused \(expired\): root\.json expired (34|35) days ago/);
  });
});

it("mix-and-match: the snapshot names targets version 2, the file served as 2.targets.json is version 1", async () => {
  const s = await site();
  await signAgain(s);
  await copyFile(join(s.metadataDir, versionedFile("targets", 1)), join(s.metadataDir, versionedFile("targets", 2)));
  await expectRefused(s, await tempDir(), /targets metadata refused \(mix-and-match\): targets version 1 is not the version 2 the snapshot names/);
});

describe("targets", () => {
  it("an index altered after signing (an extra package listed) is refused before it is read", async () => {
    const s = await site();
    const index = JSON.parse(await readFile(s.registryFile, "utf8"));
    const extra = { ...index.engines[0].packages[0], accelerator: "vulkan", acceleratorVersion: "1.3", filename: s.filename.replace("-cpu.", "-vulkan.") };
    index.engines[0].packages.push(extra);
    await writeFile(s.registryFile, JSON.stringify(index, null, 2));
    await expectRefused(s, await tempDir(), /targets metadata refused \(hash-or-length\): engines\.json has \d+ bytes, sha256 [0-9a-f]{64}; the registry signed \d+ bytes/);
  });

  it("a package the signed index lists but the targets do not", async () => {
    const s = await site();
    const current = await currentMetadata(s.metadataDir);
    const signed = current.targets!.metadata.signed;
    const targets = new Targets({ version: signed.version + 1, specVersion: signed.specVersion, expires: signed.expires });
    for (const [path, t] of Object.entries(signed.targets)) if (!path.endsWith(".baiengine")) targets.addTarget(t);
    const file = await signAndWrite(s.metadataDir, versionedFile("targets", targets.version), targets, await loadRoleKeys("targets", { keysDir: s.keysDir }));
    const keys = { snapshot: await loadRoleKeys("snapshot", { keysDir: s.keysDir }), timestamp: await loadRoleKeys("timestamp", { keysDir: s.keysDir }) };
    await writeSnapshotAndTimestamp(s.metadataDir, current, file, keys, new Date(), {});
    await expectRefused(s, await tempDir(), new RegExp(`targets metadata refused \\(not-signed\\): hello-v${packed.version}/${s.filename} is not among the signed targets`));
  });

  it("a package whose bytes were altered on the server", async () => {
    const s = await site();
    const path = join(s.root, "releases", `hello-v${packed.version}`, s.filename);
    const bytes = await readFile(path);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
    await writeFile(path, bytes);
    await expectRefused(s, await tempDir(), /targets metadata refused \(hash-or-length\): .*have sha256 [0-9a-f]{64} \(signed: \d+ bytes, sha256 [0-9a-f]{64}\)/);
  });

  it("a package longer than its signed length", async () => {
    const s = await site();
    s.server.longer.set(`/releases/hello-v${packed.version}/${s.filename}`, 4096);
    await expectRefused(s, await tempDir(), new RegExp(`targets metadata refused \\(hash-or-length\\): .*more than the ${packed.size} bytes the registry signed`));
  });
});

it("endless data: a timestamp.json larger than its cap", async () => {
  const s = await site();
  s.server.endless.add("/registry/metadata/timestamp.json");
  await expectRefused(s, await tempDir(), /timestamp metadata refused \(too-large\): timestamp\.json is larger than its cap of \d+ bytes/);
});

describe("keys and thresholds", () => {
  it("a new root signed by 1 of the 2 root keys it needs", async () => {
    const s = await site(["--root-keys", "2", "--root-threshold", "2"]);
    const root = (await readMetadataFile(s.metadataDir, "root.json", "root")).metadata.signed;
    const next = buildRoot(2, root.expires, root.keys, roleKeysOf(root));
    const [one] = await loadRoleKeys("root", { keysDir: s.keysDir });
    const metadata = new Metadata(next);
    metadata.sign(signerFor(one!));
    await writeFile(join(s.metadataDir, rootFile(2)), JSON.stringify(metadata.toJSON()));
    await expectRefused(s, await tempDir(), /root metadata refused \(signatures\): root version 2 is not signed by 2 of the trusted root's keys and its own/);
  });

  it("targets signed with the timestamp key (snapshot and timestamp keys stolen from CI)", async () => {
    const s = await site();
    const current = await currentMetadata(s.metadataDir);
    const signed = current.targets!.metadata.signed;
    const targets = new Targets({ version: signed.version + 1, specVersion: signed.specVersion, expires: signed.expires, targets: signed.targets });
    const timestampKeys = await loadRoleKeys("timestamp", { keysDir: s.keysDir });
    const file = await signAndWrite(s.metadataDir, versionedFile("targets", targets.version), targets, timestampKeys);
    await writeSnapshotAndTimestamp(s.metadataDir, current, file, { snapshot: await loadRoleKeys("snapshot", { keysDir: s.keysDir }), timestamp: timestampKeys }, new Date(), {});
    await expectRefused(s, await tempDir(), /targets metadata refused \(signatures\): targets\.json is not signed by 1 of its keys in root version 1/);
  });
});

describe("root rotation", () => {
  it("is followed from the trusted root through two new versions, and the install succeeds", async () => {
    const s = await site();
    const engines = await tempDir();
    await baseline(s, engines);
    await mustRun(["trust", "rotate", "--metadata-dir", s.metadataDir, "--keys-dir", s.keysDir]);
    await mustRun(["trust", "rotate", "--metadata-dir", s.metadataDir, "--keys-dir", s.keysDir, "--role", "timestamp"]);
    await mustRun(["trust", "timestamp", "--metadata-dir", s.metadataDir, "--keys-dir", s.keysDir]);
    const run = await mustRun(["install", "--registry", s.indexUrl, ...platform, "--engines-dir", engines]);
    expect(run.stdout).toContain(`installed: hello ${packed.version}`);
    const remembered = JSON.parse(await readFile(join(engines, "registries", (await import("node:fs")).readdirSync(join(engines, "registries"))[0]!, "trust", "root.json"), "utf8"));
    expect(remembered.signed.version).toBe(3);
    expect(s.server.requests.map((r) => r.path)).toEqual(expect.arrayContaining(["/registry/metadata/2.root.json", "/registry/metadata/3.root.json", "/registry/metadata/4.root.json"]));
  });

  it("old root keys can no longer sign after rotation: the signer refuses them, and a root they signed is refused", async () => {
    const s = await site();
    const engines = await tempDir();
    const oldRoot = await keyEnv(s.keysDir, ["root"]);
    await mustRun(["trust", "rotate", "--metadata-dir", s.metadataDir, "--keys-dir", s.keysDir]);
    await baseline(s, engines);
    const refused = await cli(["trust", "rotate", "--metadata-dir", s.metadataDir, "--keys-dir", join(s.keysDir, "none")], oldRoot);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/the key given for root \(\$BAIENGINE_TUF_ROOT_KEY, key id [0-9a-f]{16}…\) is not a root key in root\.json version 2 \(no role lists it\)/);
    // The attacker writes root 3 (their own timestamp key) signed with the retired root key.
    const root = (await readMetadataFile(s.metadataDir, "root.json", "root")).metadata.signed;
    const evil = generateRoleKey("timestamp").signing;
    const roles = roleKeysOf(root);
    roles.timestamp = { keyIds: [evil.keyId], threshold: 1 };
    const metadata = new Metadata(buildRoot(3, root.expires, { ...root.keys, [evil.keyId]: evil.key }, roles));
    for (const k of await loadRoleKeys("root", { env: oldRoot })) metadata.sign(signerFor(k));
    await writeFile(join(s.metadataDir, rootFile(3)), JSON.stringify(metadata.toJSON()));
    await expectRefused(s, engines, /root metadata refused \(signatures\): root version 3 is not signed by 1 of the trusted root's keys and its own/);
  });
});

it("a registry with trust configured and no metadata is refused, not read unsigned", async () => {
  const s = await site();
  const engines = await tempDir();
  await baseline(s, engines);
  const { rm } = await import("node:fs/promises");
  await rm(s.metadataDir, { recursive: true });
  await expectRefused(s, engines, /timestamp metadata refused \(missing\): http:\/\/127\.0\.0\.1:\d+\/registry\/metadata\/timestamp\.json is not published \(HTTP 404\)/);
});

it("metaFileOf records version, length and sha256", async () => {
  const s = await site();
  const snapshot = await readMetadataFile(s.metadataDir, versionedFile("snapshot", 1), "snapshot");
  expect(metaFileOf(snapshot).toJSON()).toMatchObject({ version: 1, length: snapshot.bytes.length });
});
