import { beforeAll, describe, expect, it } from "vitest";
import { buildElfFixtures, type ElfFixtures, readelfFacts } from "./fixtures.js";
import { highestVersions, readAllWays } from "./helpers.js";

/** Differential: our reader against binutils' readelf on the same file, through all three entry points. */
async function expectMatchesReadelf(file: string) {
  const info = (await readAllWays(file))!;
  const facts = readelfFacts(file);
  expect(info.format).toBe("elf");
  expect(info.needed).toEqual(facts.needed);
  expect(info.soname).toBe(facts.soname);
  expect(info.rpath).toEqual(facts.rpath === undefined ? [] : facts.rpath.split(":"));
  expect(info.runpath).toEqual(facts.runpath === undefined ? [] : facts.runpath.split(":"));
  expect(info.symbolVersions).toEqual(highestVersions(facts.versionNames));
  return info;
}

describe.each([
  { name: "x86_64 (gcc)", prefix: "" as const, pkg: "gcc", machine: "x86_64", interp: "/lib64/ld-linux-x86-64.so.2" },
  { name: "aarch64 (aarch64-linux-gnu-gcc)", prefix: "aarch64-linux-gnu-" as const, pkg: "gcc-aarch64-linux-gnu", machine: "aarch64", interp: "/lib/ld-linux-aarch64.so.1" },
])("ELF built with $name", ({ prefix, pkg, machine, interp }) => {
  let fx: ElfFixtures;
  beforeAll(() => {
    fx = buildElfFixtures(prefix, pkg);
  });

  it("reads a shared library's SONAME and machine", async () => {
    const info = await expectMatchesReadelf(fx.lib);
    expect(info).toMatchObject({ os: "linux", arch: machine, machine, kind: "library", soname: "libfoo.so.1" });
    expect(info.interpreter).toBeUndefined();
  });

  it("reads an executable's interpreter, NEEDED and RUNPATH $ORIGIN/libs", async () => {
    const info = await expectMatchesReadelf(fx.appOriginLibs);
    expect(info).toMatchObject({ kind: "executable", interpreter: interp, runpath: ["$ORIGIN/libs"], rpath: [] });
    expect(info.needed).toContain("libfoo.so.1");
    expect(info.symbolVersions.GLIBC).toMatch(/^2\.\d+$/);
  });

  it("splits an absolute RUNPATH and reads DT_RPATH", async () => {
    expect((await expectMatchesReadelf(fx.appAbsolute)).runpath).toEqual(["/home/builder/llama/build/bin", "$ORIGIN"]);
    expect((await expectMatchesReadelf(fx.appRpath)).rpath).toEqual(["$ORIGIN"]);
    const none = await expectMatchesReadelf(fx.appNoPath);
    expect([none.rpath, none.runpath]).toEqual([[], []]);
  });

  it("reports the highest GLIBCXX and CXXABI versions of a C++ program", async () => {
    const info = await expectMatchesReadelf(fx.cxx);
    expect(info.needed).toContain("libstdc++.so.6");
    expect(info.symbolVersions.GLIBCXX).toMatch(/^3\.4\.\d+$/);
    expect(info.symbolVersions.CXXABI).toMatch(/^1\.3(\.\d+)?$/);
  });
});

describe("ELF system files", () => {
  it.each(["/bin/ls", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/aarch64-linux-gnu/lib/libstdc++.so.6"])(
    "%s matches readelf",
    async (file) => {
      const info = await expectMatchesReadelf(file);
      expect(info.arch).toBe(file.includes("aarch64") ? "aarch64" : "x86_64");
    },
  );
});
