import { cpSync, existsSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { SourceError } from "../src/errors.js";
import { pack } from "../src/pack.js";
import type { PackOptions } from "../src/plan/plan-types.js";
import { gatherFacts, PACKER_ROOT } from "../src/probe/gather-facts.js";
import { tempDirSync } from "@baiengine/test-kit";

// Sources that are not git checkouts (a copy, a release tarball): the archive time comes from the files.
const root = tempDirSync("source-archive");
const OLD = 1600000000; // 2020-09-13T12:26:40Z
const NEWEST = 1650000000; // 2022-04-15T05:20:00Z

/** A copy of the hello fixture outside any repository, its files dated OLD except CMakeLists.txt (NEWEST). */
function helloCopy(dir: string): string {
  cpSync(path.join(PACKER_ROOT, "fixtures", "hello"), dir, { recursive: true });
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) utimesSync(path.join(dir, name), OLD, OLD);
  utimesSync(path.join(dir, "CMakeLists.txt"), NEWEST, NEWEST);
  return dir;
}

/** Packs with the machine's facts but without SOURCE_DATE_EPOCH, whatever the test's environment holds. */
async function packWithoutEpoch(options: PackOptions) {
  const env = { ...process.env };
  delete env["SOURCE_DATE_EPOCH"];
  return pack(options, { facts: await gatherFacts(options, env) });
}

describe("sources that are not git checkouts", () => {
  const copy = helloCopy(path.join(root, "hello-1.0"));
  const tarball = path.join(root, "hello-1.0.tar.gz");

  it("a plain folder: the archive time is its newest file's, recorded with the rule in the manifest", async () => {
    const result = await packWithoutEpoch({ engine: "hello", accel: "cpu", source: copy, out: path.join(root, "out-dir"), cacheDir: path.join(root, "cache-dir") });
    expect(result.manifest.build).toMatchObject({ sourceDate: "2022-04-15T05:20:00.000Z", sourceDateFrom: "newest-source-file" });
    expect(result.plan.mtime).toBe(NEWEST);
  });

  it("a .tar.gz is unpacked into the cache; unpacked twice (two caches), it packs to the same bytes", async () => {
    symlinkSync("hello-base.h", path.join(copy, "src", "alias.h"));
    await execa("tar", ["-czf", tarball, "-C", root, "hello-1.0"]);
    const pack1 = await packWithoutEpoch({ engine: "hello", accel: "cpu", source: tarball, out: path.join(root, "out-1"), cacheDir: path.join(root, "cache-1") });
    const pack2 = await packWithoutEpoch({ engine: "hello", accel: "cpu", source: tarball, out: path.join(root, "out-2"), cacheDir: path.join(root, "cache-2") });
    expect(pack1.plan.source.dir).toMatch(new RegExp(`^${path.join(root, "cache-1", "sources")}/archive-[0-9a-f]{16}/hello-1\\.0$`));
    expect(pack1.manifest.build).toMatchObject({ sourceDate: "2022-04-15T05:20:00.000Z", sourceDateFrom: "newest-source-file" });
    expect(readlinkSync(path.join(pack1.plan.source.dir!, "src", "alias.h"))).toBe("hello-base.h");
    expect(pack2.sha256).toBe(pack1.sha256);
    const again = await packWithoutEpoch({ engine: "hello", accel: "cpu", source: tarball, out: path.join(root, "out-1"), cacheDir: path.join(root, "cache-1") });
    expect([again.sha256, again.reusedBuild]).toEqual([pack1.sha256, true]);
  });

  it("refuses an archive with an entry outside the folder or a symlink out of it, leaving nothing behind", async () => {
    const work = path.join(root, "evil", "inner");
    mkdirSync(work, { recursive: true });
    writeFileSync(path.join(root, "evil", "escaped.txt"), "x");
    const dotdot = path.join(root, "dotdot.tar.gz");
    // -P keeps the `../` that GNU tar would otherwise strip.
    await execa("tar", ["-P", "-czf", dotdot, "../escaped.txt"], { cwd: work });
    const linkTree = helloCopy(path.join(root, "link-src", "hello"));
    symlinkSync("../../../outside", path.join(linkTree, "src", "out"));
    const link = path.join(root, "link.tar.gz");
    await execa("tar", ["-czf", link, "-C", path.join(root, "link-src"), "hello"]);

    const cacheDir = path.join(root, "cache-evil");
    for (const [file, why] of [
      [dotdot, "../escaped.txt: name \"../escaped.txt\": has a '..' segment"],
      [link, 'hello/src/out: symlink target "../../../outside" resolves outside the archive'],
    ] as const) {
      const error = await packWithoutEpoch({ engine: "hello", accel: "cpu", source: file, cacheDir, out: path.join(root, "out-evil") }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SourceError);
      expect((error as SourceError).message).toBe(`${file} is not a safe source archive: ${why}`);
    }
    expect(readdirSync(path.join(cacheDir, "sources"))).toEqual([]);
    expect(existsSync(path.join(root, "outside"))).toBe(false);
  });
});
