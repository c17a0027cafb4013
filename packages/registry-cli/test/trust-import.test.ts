import { cp, copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, inject, it } from "vitest";
import { tempDir } from "@baiengine/test-kit";
import { cli, installedHello, mustRun, type SignedSite, signedSites } from "./helpers/signed-site.js";

/** `import --trust`: offline packages are checked against the metadata brought along in incoming/metadata/. */
const packed = inject("packedHello");
const newSite = signedSites(packed);

async function incoming(s: SignedSite, withMetadata: boolean): Promise<string> {
  const dir = join(await tempDir(), "incoming");
  await mkdir(dir);
  await copyFile(join(s.root, "releases", `hello-v${packed.version}`, s.filename), join(dir, s.filename));
  if (withMetadata) await cp(s.metadataDir, join(dir, "metadata"), { recursive: true });
  return dir;
}

it("installs a package its metadata signed, rejects one with other bytes, and refuses without metadata", async () => {
  const site = await newSite();
  const engines = await tempDir();
  const args = (dir: string) => ["import", "--incoming", dir, "--engines-dir", engines, "--registry", site.indexUrl, "--trust", site.trustedRoot];

  const none = await cli(args(await incoming(site, false)));
  expect(none.code).toBe(1);
  expect(none.stderr).toMatch(/error: root metadata refused \(missing\)|error: timestamp metadata refused \(missing\): file:.*incoming\/metadata\/timestamp\.json is not published/);
  expect(await installedHello(engines)).toEqual([]);

  const tampered = await incoming(site, true);
  const bytes = await readFile(join(tampered, site.filename));
  bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0x01;
  await writeFile(join(tampered, site.filename), bytes);
  const rejected = await cli(args(tampered));
  expect(rejected.code).toBe(1);
  expect(rejected.stdout).toMatch(new RegExp(`rejected ${site.filename}: targets metadata refused \\(hash-or-length\\): hello-v${packed.version}/${site.filename}: ${site.filename} has sha256 [0-9a-f]{64} \\(signed: ${packed.size} bytes, sha256 ${packed.sha256}\\)`));
  expect(await installedHello(engines)).toEqual([]);

  const good = await incoming(site, true);
  const run = await mustRun(args(good));
  expect(run.stdout).toContain(`installed ${site.filename}`);
  expect(await installedHello(engines)).toEqual([packed.version]);
  expect(await readdir(join(good, "installed"))).toEqual([site.filename]);
});
