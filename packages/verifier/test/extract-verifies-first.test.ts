import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { extractPackage, PackageRejectedError, Sha256MismatchError } from "../src/index.js";
import { buildTinyStaging, goodMembers } from "./helpers/good-package.js";
import { gzip, PACKAGE_NAME, tarArchive, tarHeader } from "./helpers/tar-writer.js";
import { tempDirSync } from "@baiengine/test-kit";

const work = tempDirSync("verifier-extract-first");
const staging = buildTinyStaging(join(work, "staging"));

function packageFile(name: string, bytes: Buffer, filename = PACKAGE_NAME): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, filename), bytes);
  return join(dir, filename);
}

describe("extraction runs the whole verifier before it writes anything", () => {
  it("a package refused only at the end (its manifest names another version than its file) never creates the destination", async () => {
    const file = packageFile("late", gzip(tarArchive(goodMembers(staging))), PACKAGE_NAME.replace("b4618", "b9999"));
    // A destination that cannot be created: had extraction started before verification ended, it would fail on mkdir instead.
    const blocker = join(work, "a-file");
    writeFileSync(blocker, "");
    const error = await extractPackage(file, join(blocker, "engines", "dest")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PackageRejectedError);
    expect((error as PackageRejectedError).findings.map((f) => f.code)).toEqual(["MANIFEST_FILENAME_MISMATCH"]);
  });

  it("the reader-split example (a symlink with 512 bytes of data hiding a link to /etc) leaves nothing behind", async () => {
    const hidden = [
      tarHeader({ name: "package/libs/libhello.so", type: "2", linkname: "libhello.so.1", size: 512 }),
      tarHeader({ name: "package/libs/pad", size: 512 }),
      tarHeader({ name: "package/libs/escape", type: "2", linkname: "/etc" }),
    ];
    const file = packageFile("example", gzip(tarArchive([...goodMembers(staging), ...hidden])));
    const dest = join(work, "engines", "dest");
    const error = await extractPackage(file, dest).catch((e: unknown) => e);
    expect((error as PackageRejectedError).message).toMatch(/TAR_DATA_ON_NON_FILE package\/libs\/libhello\.so: symlink .* declares 512 bytes of data/);
    expect(existsSync(join(work, "engines"))).toBe(false);
  });

  it("bytes with another sha256 than expected: Sha256MismatchError with both sums as fields, from a file and from a stream", async () => {
    const file = packageFile("other-sha", gzip(tarArchive(goodMembers(staging))));
    const actual = createHash("sha256").update(readFileSync(file)).digest("hex");
    const expected = "ab".repeat(32);
    const fromFile = await extractPackage(file, join(work, "sha-file"), { expectedSha256: expected }).catch((e: unknown) => e);
    const stream = { name: PACKAGE_NAME, size: 0, chunks: (async function* () { yield readFileSync(file); })() };
    const fromStream = await extractPackage(stream, join(work, "sha-stream"), { expectedSha256: expected }).catch((e: unknown) => e);
    for (const error of [fromFile, fromStream]) {
      expect(error).toBeInstanceOf(Sha256MismatchError);
      expect(error).toBeInstanceOf(PackageRejectedError);
      expect(error).toMatchObject({ expected, actual, findings: [expect.objectContaining({ code: "SHA256_MISMATCH" })] });
    }
    expect(existsSync(join(work, "sha-file")) || existsSync(join(work, "sha-stream"))).toBe(false);
  });

  it("a good package still extracts", async () => {
    const file = packageFile("good", gzip(tarArchive(goodMembers(staging))));
    const result = await extractPackage(file, join(work, "out"));
    expect(result.files.sort()).toEqual(["package/libs/libhello.so.1", "package/libs/libhello.so.1.0.0", "package/llama-server", "package/manifest.json"]);
  });
});
