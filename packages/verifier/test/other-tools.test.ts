import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tar from "tar";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyPackage } from "../src/index.js";
import { buildTinyStaging, goodMembers, type Staging } from "./helpers/good-package.js";
import { gzip, PACKAGE_NAME, paxHeader, tarArchive } from "./helpers/tar-writer.js";
import { tempDirSync } from "@baiengine/test-kit";

let work: string;
let staging: Staging;

beforeAll(() => {
  work = tempDirSync("verifier-other-tools");
  staging = buildTinyStaging(join(work, "staging"));
  writeFileSync(join(staging.root, "package", "manifest.json"), staging.manifest);
});

const errors = async (file: string) => (await verifyPackage(file)).findings.filter((f) => f.severity === "error");

/** Packages as maintainers make them with whatever tar they have: each refused with the command that fixes it. */
describe("packages made by other tools", () => {
  it("GNU tar of '.' (entries ./package/...): one finding with the fixing command, not one per entry", async () => {
    const file = join(work, "dot", PACKAGE_NAME);
    execFileSync("mkdir", ["-p", join(work, "dot")]);
    execFileSync("tar", ["--owner=0", "--group=0", "-C", staging.root, "-czf", file, "."]);
    const found = await errors(file);
    expect(found).toEqual([expect.objectContaining({ code: "ARCHIVE_DOT_PREFIX", message: expect.stringContaining("`tar -C DIR -czf FILE package`") })]);
    // The fix it names works.
    execFileSync("tar", ["--owner=0", "--group=0", "-C", staging.root, "-czf", file, "package"]);
    expect(await errors(file)).toEqual([]);
  });

  it("node-tar's default output: the header field named, with `portable: true` as the fix (which passes)", async () => {
    const file = join(work, "node-tar", PACKAGE_NAME);
    execFileSync("mkdir", ["-p", join(work, "node-tar")]);
    await tar.c({ gzip: true, file, cwd: staging.root }, ["package"]);
    expect(await errors(file)).toEqual([expect.objectContaining({ code: "TAR_BAD_FIELD", message: expect.stringMatching(/node-tar's atime and ctime.*`portable: true`/) })]);
    await tar.c({ gzip: true, file, cwd: staging.root, portable: true }, ["package"]);
    expect(await errors(file)).toEqual([]);
  });

  it("macOS metadata (an AppleDouble ._ file, a quarantine xattr): refused with COPYFILE_DISABLE=1 and --no-xattrs --no-mac-metadata", async () => {
    const dir = join(work, "mac");
    execFileSync("mkdir", ["-p", dir]);
    const appleDouble = join(staging.root, "package", "._llama-server");
    writeFileSync(appleDouble, Buffer.from([0, 5, 22, 7, 0, 2, 0, 0]));
    const withDouble = join(dir, PACKAGE_NAME);
    try {
      execFileSync("tar", ["--owner=0", "--group=0", "-C", staging.root, "-czf", withDouble, "package"]);
    } finally {
      rmSync(appleDouble);
    }
    expect(await errors(withDouble)).toEqual([expect.objectContaining({ code: "ENTRY_APPLEDOUBLE", path: "package/._llama-server", message: expect.stringContaining("COPYFILE_DISABLE=1 tar --no-xattrs --no-mac-metadata") })]);

    // bsdtar stores a file's extended attributes as LIBARCHIVE.xattr.* PAX records before its header.
    const withXattr = join(dir, "xattr", PACKAGE_NAME);
    execFileSync("mkdir", ["-p", join(dir, "xattr")]);
    const members = goodMembers(staging);
    members.splice(1, 0, paxHeader([["LIBARCHIVE.xattr.com.apple.quarantine", "MDA4MTs2NzA7U2FmYXJp"]]));
    writeFileSync(withXattr, gzip(tarArchive(members)));
    expect(await errors(withXattr)).toEqual([
      expect.objectContaining({ code: "TAR_PAX_KEY", message: expect.stringMatching(/com\.apple\.quarantine.*macOS's quarantine.*COPYFILE_DISABLE=1 tar --no-xattrs --no-mac-metadata/) }),
    ]);
  });
});
