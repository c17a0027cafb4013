import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyPackage } from "../src/index.js";
import { buildStaging, goodMembers, type Staging } from "./helpers/good-package.js";
import { gzip, PACKAGE_NAME, type RawEntry, tarArchive } from "./helpers/tar-writer.js";
import { tempDirSync } from "@baiengine/test-kit";

// Each way a bundled library can be out of the loader's reach gets its own message
// and fix, checked on packages of a gcc-built server (RUNPATH $ORIGIN/libs) and SONAME library.
let work: string;
let staging: Staging;
let run = 0;
beforeAll(() => {
  work = tempDirSync("verifier-libfindings");
  staging = buildStaging(join(work, "staging"));
});

async function unresolved(members: RawEntry[]): Promise<string[]> {
  const file = join(work, `${run++}-${PACKAGE_NAME}`);
  writeFileSync(file, gzip(tarArchive(members)));
  const report = await verifyPackage(file, { expectedFilename: PACKAGE_NAME });
  expect(report.ok).toBe(false);
  expect(report.findings.filter((f) => f.severity === "error").map((f) => `${f.code} ${f.path}`)).toEqual(["LIB_UNRESOLVED llama-server"]);
  return report.findings.filter((f) => f.code === "LIB_UNRESOLVED").map((f) => f.message);
}

const without = (members: RawEntry[], name: string) => members.filter((m) => m.name !== name);

describe("LIB_UNRESOLVED says what is wrong, with a fix that fits", () => {
  it("the library only under another name: libhello.so.1.0.0 without the libhello.so.1 the server asks for", async () => {
    const [message] = await unresolved(without(goodMembers(staging), "package/libs/libhello.so.1"));
    expect(message).toBe(
      "llama-server needs libhello.so.1: the package has it only as libs/libhello.so.1.0.0 (SONAME libhello.so.1), but the loader opens the file name libhello.so.1; add libs/libhello.so.1 (a symbolic link to libhello.so.1.0.0, or a copy)",
    );
    // The run path is right: the hint must not ask for another one.
    expect(message).not.toContain("rpath");
  });

  it("a dangling symbolic link: libhello.so.1 names a file the package lacks", async () => {
    const [message] = await unresolved(without(goodMembers(staging), "package/libs/libhello.so.1.0.0"));
    expect(message).toBe(
      "llama-server needs libhello.so.1: libs/libhello.so.1 is a symbolic link to libs/libhello.so.1.0.0, which is not in the package; ship the library itself as libs/libhello.so.1, or the file the link names",
    );
  });

  it("the library on no run path: bundled in lib/ while RUNPATH says $ORIGIN/libs", async () => {
    const moved = goodMembers(staging).map((m) => ({ ...m, name: String(m.name).replace("package/libs", "package/lib") }));
    const [message] = await unresolved(moved);
    expect(message).toBe(
      "llama-server needs libhello.so.1: bundled at lib/libhello.so.1, but no RUNPATH/RPATH of llama-server ($ORIGIN/libs) leads there; link with -Wl,-rpath,'$ORIGIN/lib'",
    );
  });

  it("the library nowhere: names the folders searched and the policy file", async () => {
    const members = without(without(goodMembers(staging), "package/libs/libhello.so.1"), "package/libs/libhello.so.1.0.0");
    const [message] = await unresolved(members);
    expect(message).toBe(
      "llama-server needs libhello.so.1: not in the package and not on the system allow-list; bundle it where llama-server looks (libs/), or, if every linux machine has it, add it to the verifier's policy/linux.json",
    );
  });
});
