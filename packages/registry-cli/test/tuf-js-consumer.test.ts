import { copyFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Updater } from "tuf-js";
import { expect, inject, it } from "vitest";
import { tempDir } from "@baiengine/test-kit";
import { signedSites } from "./helpers/signed-site.js";

/**
 * tuf-js's own client, as an independent consumer of the metadata `trust init` and `sign` write:
 * its Updater with its default fetcher (Node's fetch, not our HTTP client) refreshes from the
 * served metadata folder and downloads targets, checking their signed length and sha256 itself.
 * Targets are release assets under their own names, so the consumer sets prefixTargetsWithHash off.
 */
const packed = inject("packedHello");
const newSite = signedSites(packed);

it("tuf-js's Updater loads the repository and downloads the index and a package", async () => {
  const site = await newSite();
  const work = await tempDir();
  const metadataDir = join(work, "metadata");
  const targetDir = join(work, "targets");
  await mkdir(metadataDir);
  await mkdir(targetDir);
  await copyFile(site.trustedRoot, join(metadataDir, "root.json"));
  const updater = new Updater({ metadataDir, metadataBaseUrl: `${site.server.url}/registry/metadata`, targetDir, config: { prefixTargetsWithHash: false } });
  await updater.refresh();

  const index = await updater.getTargetInfo("engines.json");
  expect(index).toBeDefined();
  const indexFile = await updater.downloadTarget(index!, join(targetDir, "engines.json"), `${site.server.url}/registry/`);
  expect(await readFile(indexFile)).toEqual(await readFile(site.registryFile));

  const path = `hello-v${packed.version}/${site.filename}`;
  const target = await updater.getTargetInfo(path);
  expect(target).toMatchObject({ length: packed.size, hashes: { sha256: packed.sha256 } });
  expect(target!.custom).toMatchObject({ engine: "hello", version: packed.version, os: "linux", arch: "x86_64", accelerator: "cpu" });
  const file = await updater.downloadTarget(target!, join(targetDir, site.filename), `${site.server.url}/releases/`);
  expect((await readFile(file)).length).toBe(packed.size);
  expect(await updater.getTargetInfo("hello-v0.0.0/not-signed.baiengine")).toBeUndefined();
});
