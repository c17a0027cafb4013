import { beforeAll, describe, expect, it } from "vitest";
import { buildPeFixtures, objdumpImports, type PeFixtures } from "./fixtures.js";
import { readAllWays } from "./helpers.js";

/** Differential: our import list against mingw objdump's, through all three entry points. */
async function expectMatchesObjdump(file: string) {
  const info = (await readAllWays(file))!;
  expect(info.format).toBe("pe");
  expect(info.needed).toEqual(objdumpImports(file));
  return info;
}

describe("PE built with mingw-w64 (posix threads)", () => {
  let fx: PeFixtures;
  beforeAll(() => {
    fx = buildPeFixtures();
  });

  it("reads a DLL: machine, DLL flag, imports", async () => {
    const info = await expectMatchesObjdump(fx.dll);
    expect(info).toMatchObject({ os: "windows", arch: "x86_64", machine: "x86_64", kind: "library", rpath: [], runpath: [] });
    expect(info.needed.map((n) => n.toLowerCase())).toContain("kernel32.dll");
  });

  it("reads an exe importing the DLL beside it", async () => {
    const info = await expectMatchesObjdump(fx.app);
    expect(info.kind).toBe("executable");
    expect(info.needed).toContain("foo.dll");
  });

  it("reads a C++ exe importing the mingw runtime DLLs", async () => {
    const info = await expectMatchesObjdump(fx.cxx);
    expect(info.needed).toEqual(expect.arrayContaining(["libstdc++-6.dll", "libgcc_s_seh-1.dll", "libwinpthread-1.dll"]));
  });

  it("reads delay-loaded DLLs from the delay-import directory", async () => {
    const info = (await readAllWays(fx.delayed))!;
    // objdump lists the ordinary import table only; the delay-loaded foo.dll comes on top of it.
    expect(info.needed).toEqual([...objdumpImports(fx.delayed), "foo.dll"]);
  });
});

describe("PE system files shipped with mingw-w64", () => {
  it.each([
    "/usr/lib/gcc/x86_64-w64-mingw32/12-posix/libstdc++-6.dll",
    "/usr/lib/gcc/x86_64-w64-mingw32/12-posix/libgcc_s_seh-1.dll",
    "/usr/lib/gcc/x86_64-w64-mingw32/12-posix/libgomp-1.dll",
    "/usr/x86_64-w64-mingw32/lib/libwinpthread-1.dll",
    "/usr/x86_64-w64-mingw32/lib/zlib1.dll",
  ])("%s matches objdump", async (file) => {
    const info = await expectMatchesObjdump(file);
    expect(info).toMatchObject({ arch: "x86_64", kind: "library" });
  });
});

describe("PE32 (i686) files shipped with mingw-w64", () => {
  it.each(["/usr/i686-w64-mingw32/lib/libwinpthread-1.dll", "/usr/i686-w64-mingw32/lib/zlib1.dll"])("%s matches objdump and is no shipped arch", async (file) => {
    const info = await expectMatchesObjdump(file);
    expect(info).toMatchObject({ arch: null, machine: "i386", kind: "library" });
  });
});
