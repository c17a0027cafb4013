import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type BinaryInfo, readBinaryFile, readBinaryInfo } from "../src/binary/index.js";
import { checkLibraries, checkLibraryFolder, DiskTree, loadLibraryPolicy, type PackageBinary, parseLibraryPolicy, PolicyError, walkClosure } from "../src/libraries.js";
import { buildElfFixtures, buildPeFixtures, type ElfFixtures, type PeFixtures } from "./binary/fixtures.js";
import { buildFat, buildThin, CPU, LC } from "./binary/macho-builder.js";
import { tempDirSync } from "@baiengine/test-kit";

const read = (file: string): BinaryInfo => readBinaryInfo(new Uint8Array(readFileSync(file)))!;
const codes = (check: ReturnType<typeof checkLibraries>) => check.findings.map((f) => `${f.severity} ${f.code} ${f.path ?? ""}`);

describe("checkLibraries on Linux packages built with gcc and aarch64-linux-gnu-gcc", () => {
  let x86: ElfFixtures;
  let arm: ElfFixtures;
  beforeAll(() => {
    x86 = buildElfFixtures("", "gcc");
    arm = buildElfFixtures("aarch64-linux-gnu-", "gcc-aarch64-linux-gnu");
  });
  const linux = { os: "linux", arch: "x86_64" } as const;

  it("accepts a server whose RUNPATH $ORIGIN/libs reaches the bundled library, and reports GLIBC", () => {
    const check = checkLibraries([{ path: "llama-server", info: read(x86.appOriginLibs) }, { path: "libs/libfoo.so.1", info: read(x86.lib) }], linux);
    expect(check.findings).toEqual([]);
    expect(check.requirements.glibc).toMatch(/^2\.\d+$/);
    expect(check.requirements.systemLibraries).toEqual([]);
  });

  it("accepts the same package for aarch64", () => {
    const check = checkLibraries([{ path: "llama-server", info: read(arm.appOriginLibs) }, { path: "libs/libfoo.so.1", info: read(arm.lib) }], { os: "linux", arch: "aarch64" });
    expect(check.findings).toEqual([]);
  });

  it("LIB_UNRESOLVED: a library in libs/ that no RUNPATH points to does not count", () => {
    const check = checkLibraries([{ path: "llama-server", info: read(x86.appNoPath) }, { path: "libs/libfoo.so.1", info: read(x86.lib) }], linux);
    expect(codes(check)).toEqual(["error LIB_UNRESOLVED llama-server"]);
    expect(check.findings[0]!.message).toContain("bundled at libs/libfoo.so.1");
    expect(check.findings[0]!.message).toContain("$ORIGIN/libs");
  });

  it("LIB_UNRESOLVED: a library that is nowhere", () => {
    const check = checkLibraries([{ path: "llama-server", info: read(x86.appOriginLibs) }], linux);
    expect(codes(check)).toEqual(["error LIB_UNRESOLVED llama-server"]);
    expect(check.findings[0]!.message).toMatch(/libfoo\.so\.1: not in the package and not on the system allow-list/);
  });

  it("resolves DT_RPATH $ORIGIN beside the binary and SONAME symlinks", () => {
    expect(checkLibraries([{ path: "bin/app", info: read(x86.appRpath) }, { path: "bin/libfoo.so.1", info: read(x86.lib) }], linux).findings).toEqual([]);
    const binaries = [{ path: "llama-server", info: read(x86.appOriginLibs) }, { path: "libs/libfoo.so.1.0.0", info: read(x86.lib) }];
    expect(codes(checkLibraries(binaries, linux))).toEqual(["error LIB_UNRESOLVED llama-server"]);
    expect(checkLibraries(binaries, linux, { symlinks: [{ path: "libs/libfoo.so.1", target: "libfoo.so.1.0.0" }] }).findings).toEqual([]);
  });

  it("LIB_ABSOLUTE_RUNPATH: a build-machine folder in RUNPATH", () => {
    const check = checkLibraries([{ path: "llama-server", info: read(x86.appAbsolute) }, { path: "libfoo.so.1", info: read(x86.lib) }], linux);
    expect(codes(check)).toEqual(["error LIB_ABSOLUTE_RUNPATH llama-server"]);
    expect(check.findings[0]!.message).toContain("/home/builder/llama/build/bin");
  });

  it("LIB_WRONG_ARCH: an aarch64 library in an x86_64 package", () => {
    const check = checkLibraries([{ path: "llama-server", info: read(x86.appOriginLibs) }, { path: "libs/libfoo.so.1", info: read(arm.lib) }], linux);
    expect(codes(check)).toEqual(["error LIB_WRONG_ARCH libs/libfoo.so.1"]);
  });

  it("LIB_DRIVER_BUNDLED: libcuda.so.1 inside the package", () => {
    const check = checkLibraries([{ path: "llama-server", info: read(x86.appNoPath) }, { path: "libs/libcuda.so.1", info: read(x86.lib) }], linux);
    expect(codes(check)).toContain("error LIB_DRIVER_BUNDLED libs/libcuda.so.1");
  });

  it("LIB_RUNTIME_REQUIRED: CUDA runtime needed but not bundled; the driver is a requirement, not a finding", () => {
    const cuda: PackageBinary = { path: "libs/libggml-cuda.so", info: { ...read(x86.lib), needed: ["libcudart.so.13", "libcublas.so.13", "libcuda.so.1", "libc.so.6"] } };
    const server = { path: "llama-server", info: read(x86.appOriginLibs) };
    const foo = { path: "libs/libfoo.so.1", info: read(x86.lib) };
    const check = checkLibraries([server, foo, cuda], linux);
    expect(codes(check)).toEqual(["warning LIB_RUNTIME_REQUIRED libs/libggml-cuda.so", "warning LIB_RUNTIME_REQUIRED libs/libggml-cuda.so"]);
    expect(check.requirements.systemLibraries).toEqual(["libcublas.so.13", "libcuda.so.1", "libcudart.so.13"]);
    const declared = checkLibraries([server, foo, cuda], linux, { declaredSystemLibraries: ["libcudart.so.13", "libcublas.so.13"] });
    expect(declared.findings.map((f) => f.severity)).toEqual(["info", "info"]);
    // Bundled and reachable (ggml-cuda sits in libs/, RUNPATH $ORIGIN): no longer a requirement.
    const bundled = checkLibraries([server, foo, { ...cuda, info: { ...cuda.info, runpath: ["$ORIGIN"] } }, { path: "libs/libcudart.so.13", info: read(x86.lib) }, { path: "libs/libcublas.so.13", info: read(x86.lib) }], linux);
    expect(bundled.findings).toEqual([]);
    expect(bundled.requirements.systemLibraries).toEqual(["libcuda.so.1"]);
  });

  it("LIB_UNRESOLVED: a SONAME link that loops, and a library under its real name only, each say so", () => {
    const server = { path: "llama-server", info: read(x86.appOriginLibs) };
    const loop = checkLibraries([server], linux, { symlinks: [{ path: "libs/libfoo.so.1", target: "libfoo.so" }, { path: "libs/libfoo.so", target: "libfoo.so.1" }] });
    expect(codes(loop)).toEqual(["error LIB_UNRESOLVED llama-server"]);
    expect(loop.findings[0]!.message).toBe("llama-server needs libfoo.so.1: libs/libfoo.so.1 is a loop of symbolic links; ship the library itself as libs/libfoo.so.1");
    const renamed = checkLibraries([server, { path: "libs/libfoo.so.1.0.0", info: read(x86.lib) }], linux);
    expect(renamed.findings[0]!.message).toContain("only as libs/libfoo.so.1.0.0 (SONAME libfoo.so.1), but the loader opens the file name libfoo.so.1");
  });

  it("the same rules over a folder on disk: a build folder walked from the executable, a staged package checked", async () => {
    const dir = tempDirSync("verifier-tree");
    mkdirSync(join(dir, "bin", "libs"), { recursive: true });
    copyFileSync(x86.appOriginLibs, join(dir, "bin", "app"));
    copyFileSync(x86.lib, join(dir, "bin", "libs", "libfoo.so.1.0.0"));
    symlinkSync("libfoo.so.1.0.0", join(dir, "bin", "libs", "libfoo.so.1"));
    const tree = new DiskTree(dir, false);
    const walk = await walkClosure(tree, ["bin/app"], { ...linux, exe: "bin/app" }, async (p) => (await readBinaryFile(tree.hostPath(p)))!);
    expect(walk.objects.map((o) => [o.path, o.file, o.neededAs])).toEqual([
      ["bin/app", "bin/app", undefined],
      ["bin/libs/libfoo.so.1", "bin/libs/libfoo.so.1", "libfoo.so.1"],
    ]);
    expect(walk.notBundled).toEqual([{ name: "libc.so.6", kind: "system", by: "bin/app" }]);
    const staged = await checkLibraryFolder(join(dir, "bin"), linux, { serverBinary: "app" });
    expect(staged.findings).toEqual([]);
    expect(staged.requirements.glibc).toMatch(/^2\.\d+$/);
    symlinkSync("libbar.so.2.0", join(dir, "bin", "libs", "libbar.so.2"));
    expect(tree.lookup("bin/libs/libbar.so.2")).toEqual({ kind: "dangling", link: "bin/libs/libbar.so.2", target: "libbar.so.2.0" });
    expect(tree.lookup("bin/libs/libnone.so")).toEqual({ kind: "missing" });
    // A truncated ELF in the folder is a finding, not a crash.
    writeFileSync(join(dir, "bin", "libs", "libbroken.so"), readFileSync(x86.lib).subarray(0, 100));
    const broken = await checkLibraryFolder(join(dir, "bin"), linux, { serverBinary: "app" });
    expect(broken.findings.map((f) => `${f.code} ${f.path}`)).toEqual(["BINARY_CORRUPT libs/libbroken.so"]);
  });

  it("reports the highest GLIBCXX over all binaries", () => {
    const check = checkLibraries([{ path: "llama-server", info: read(x86.cxx) }], linux);
    expect(check.findings).toEqual([]);
    expect(check.requirements.glibcxx).toBe(read(x86.cxx).symbolVersions.GLIBCXX);
  });
});

describe("checkLibraries on Windows packages built with mingw-w64", () => {
  let pe: PeFixtures;
  const mingw = (name: string) => ({ path: name, info: read(`/usr/lib/gcc/x86_64-w64-mingw32/12-posix/${name}`) });
  beforeAll(() => {
    pe = buildPeFixtures();
  });
  const windows = { os: "windows", arch: "x86_64" } as const;

  it("accepts DLLs beside the exe, matched case-insensitively, with system DLLs from the allow-list", () => {
    expect(checkLibraries([{ path: "llama-server.exe", info: read(pe.app) }, { path: "FOO.DLL", info: read(pe.dll) }], windows).findings).toEqual([]);
    const runtime = [mingw("libstdc++-6.dll"), mingw("libgcc_s_seh-1.dll"), { path: "libwinpthread-1.dll", info: read("/usr/x86_64-w64-mingw32/lib/libwinpthread-1.dll") }];
    expect(checkLibraries([{ path: "llama-server.exe", info: read(pe.cxx) }, ...runtime], windows).findings).toEqual([]);
  });

  it("LIB_UNRESOLVED: the mingw runtime DLLs missing, or a DLL kept in libs/", () => {
    const missing = checkLibraries([{ path: "llama-server.exe", info: read(pe.cxx) }], windows);
    expect(missing.findings.map((f) => f.message.split(":")[0]).sort()).toEqual([
      "llama-server.exe needs libgcc_s_seh-1.dll",
      "llama-server.exe needs libstdc++-6.dll",
      "llama-server.exe needs libwinpthread-1.dll",
    ]);
    const inLibs = checkLibraries([{ path: "llama-server.exe", info: read(pe.app) }, { path: "libs/foo.dll", info: read(pe.dll) }], windows);
    expect(codes(inLibs)).toEqual(["error LIB_UNRESOLVED llama-server.exe"]);
    expect(inLibs.findings[0]!.message).toContain("executable's folder");
    expect(inLibs.findings[0]!.message).toBe("llama-server.exe needs foo.dll: bundled at libs/foo.dll, but Windows looks for DLLs in the executable's folder (.); put it there");
  });

  it("accepts API sets; LIB_DRIVER_BUNDLED for nvcuda.dll; LIB_WRONG_ARCH for an ELF in a Windows package", () => {
    const app = read(pe.app);
    const apiSets = { ...app, needed: [...app.needed, "api-ms-win-crt-runtime-l1-1-0.dll", "API-MS-WIN-CORE-SYNCH-L1-2-0.DLL", "ext-ms-win-ntuser-window-l1-1-0.dll"] };
    expect(checkLibraries([{ path: "llama-server.exe", info: apiSets }, { path: "foo.dll", info: read(pe.dll) }], windows).findings).toEqual([]);
    const driver = checkLibraries([{ path: "llama-server.exe", info: app }, { path: "foo.dll", info: read(pe.dll) }, { path: "nvcuda.dll", info: read(pe.dll) }], windows);
    expect(codes(driver)).toEqual(["error LIB_DRIVER_BUNDLED nvcuda.dll"]);
    const elf = checkLibraries([{ path: "llama-server.exe", info: app }, { path: "foo.dll", info: read("/usr/lib/x86_64-linux-gnu/libstdc++.so.6") }], windows);
    expect(codes(elf)).toContain("error LIB_WRONG_ARCH foo.dll");
  });
});

describe("checkLibraries on macOS packages (Mach-O headers built byte by byte)", () => {
  const macos = { os: "macos", arch: "aarch64" } as const;
  const lib = buildThin({ cpu: CPU.aarch64, filetype: "dylib", id: "@rpath/libllama.dylib", dylibs: [{ cmd: LC.LOAD_DYLIB, name: "/usr/lib/libc++.1.dylib" }], buildVersion: [13, 3, 0] });
  const server = (rpaths: string[], dylibs: string[] = ["@rpath/libllama.dylib"]) =>
    buildThin({ cpu: CPU.aarch64, filetype: "execute", rpaths, buildVersion: [12, 0, 0], dylibs: [...dylibs, "/System/Library/Frameworks/Metal.framework/Versions/A/Metal"].map((name) => ({ cmd: LC.LOAD_DYLIB, name })) });
  const pkg = (serverBytes: Uint8Array, libPath = "libs/libllama.dylib") => [
    { path: "llama-server", info: readBinaryInfo(serverBytes)! },
    { path: libPath, info: readBinaryInfo(lib)! },
  ];

  it("resolves @rpath through LC_RPATH @loader_path/libs, and reports the highest minimum macOS", () => {
    const check = checkLibraries(pkg(server(["@loader_path/libs"])), macos);
    expect(check.findings).toEqual([]);
    expect(check.requirements.macosMin).toBe("13.3");
    expect(checkLibraries(pkg(server(["@executable_path/libs"])), macos).findings).toEqual([]);
    // Beside the server is not enough: @rpath needs an LC_RPATH that leads there.
    expect(codes(checkLibraries(pkg(server([]), "libllama.dylib"), macos, { policy: loadLibraryPolicy("macos") }))).toEqual(["error LIB_UNRESOLVED llama-server"]);
  });

  it("LIB_UNRESOLVED: no LC_RPATH, a Homebrew path, a path escaping the package", () => {
    expect(codes(checkLibraries(pkg(server([])), macos))).toEqual(["error LIB_UNRESOLVED llama-server"]);
    const brew = checkLibraries(pkg(server(["@loader_path/libs"], ["@rpath/libllama.dylib", "/opt/homebrew/opt/libomp/lib/libomp.dylib"])), macos);
    expect(brew.findings.map((f) => f.message)).toEqual([expect.stringContaining("/opt/homebrew/opt/libomp/lib/libomp.dylib: an absolute path outside")]);
    expect(codes(checkLibraries(pkg(server(["@loader_path/../outside"])), macos))).toEqual(["error LIB_UNRESOLVED llama-server"]);
  });

  it("LIB_UNRESOLVED: a dylib only under another file name than its install name, or in a folder no LC_RPATH reaches", () => {
    const renamed = checkLibraries(pkg(server(["@loader_path/libs"]), "libs/libllama.0.0.1.dylib"), macos);
    expect(codes(renamed)).toEqual(["error LIB_UNRESOLVED llama-server"]);
    expect(renamed.findings[0]!.message).toBe(
      "llama-server needs @rpath/libllama.dylib: the package has it only as libs/libllama.0.0.1.dylib (SONAME @rpath/libllama.dylib), but the loader opens the file name libllama.dylib; add libs/libllama.dylib (a symbolic link to libllama.0.0.1.dylib, or a copy)",
    );
    const elsewhere = checkLibraries(pkg(server(["@loader_path/libs"]), "lib/libllama.dylib"), macos);
    expect(elsewhere.findings[0]!.message).toBe(
      "llama-server needs @rpath/libllama.dylib: bundled at lib/libllama.dylib, but no LC_RPATH of llama-server (@loader_path/libs) leads there; link with -Wl,-rpath,@loader_path/lib",
    );
  });

  it("LIB_ABSOLUTE_RUNPATH: a build folder in LC_RPATH (system folders are fine)", () => {
    const check = checkLibraries(pkg(server(["@loader_path/libs", "/Users/runner/work/llama.cpp/build/bin", "/usr/lib/swift"])), macos);
    expect(codes(check)).toEqual(["error LIB_ABSOLUTE_RUNPATH llama-server"]);
  });

  it("picks the target's slice of a universal binary; LIB_WRONG_ARCH when it has none", () => {
    const x86 = buildThin({ cpu: CPU.x86_64, filetype: "execute", dylibs: [{ cmd: LC.LOAD_DYLIB, name: "/usr/lib/libSystem.B.dylib" }], buildVersion: [10, 15, 0] });
    const fat = buildFat([{ cpu: CPU.x86_64, bytes: x86 }, { cpu: CPU.aarch64, bytes: server(["@loader_path/libs"]) }]);
    const check = checkLibraries([{ path: "llama-server", info: readBinaryInfo(fat)! }, pkg(fat)[1]!], macos);
    expect(check.findings).toEqual([]);
    expect(check.requirements.macosMin).toBe("13.3");
    const intelOnly = checkLibraries([{ path: "llama-server", info: readBinaryInfo(buildFat([{ cpu: CPU.x86_64, bytes: x86 }]))! }, pkg(fat)[1]!], macos);
    expect(codes(intelOnly)).toEqual(["error LIB_WRONG_ARCH llama-server"]);
  });
});

describe("library policies (policy/<os>.json)", () => {
  it("load for every OS and classify the libraries the engine builds use", () => {
    const linux = loadLibraryPolicy("linux");
    const windows = loadLibraryPolicy("windows");
    expect(linux).toMatchObject({ os: "linux", caseInsensitive: false });
    expect(linux.system).toEqual(expect.arrayContaining(["libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "ld-linux-aarch64.so.1"]));
    expect(linux.drivers).toContain("libcuda.so.1");
    expect(linux.runtimes).toEqual(expect.arrayContaining(["libcudart.so.*", "libcublas.so.*", "libamdhip64.so.*"]));
    expect(loadLibraryPolicy("macos").systemPrefixes).toEqual(["/usr/lib/", "/System/"]);
    expect(windows).toMatchObject({ os: "windows", caseInsensitive: true });
    expect(windows.system).toEqual(expect.arrayContaining(["kernel32.dll", "msvcrt.dll", "ucrtbase.dll", "api-ms-win-*", "ext-ms-*"]));
    expect(windows.drivers).toEqual(expect.arrayContaining(["nvcuda.dll", "vulkan-1.dll"]));
    // No name may be both allowed and forbidden.
    for (const p of [linux, windows]) expect(p.system.filter((n) => p.drivers.includes(n) || p.runtimes.includes(n))).toEqual([]);
  });

  it("are validated when loaded: a bad policy document is one PolicyError naming the file and the field", () => {
    const good = readFileSync(new URL("../policy/linux.json", import.meta.url), "utf8");
    expect(parseLibraryPolicy(good, "linux.json")).toEqual(loadLibraryPolicy("linux"));
    const bad = (doc: object) => () => parseLibraryPolicy(JSON.stringify({ ...JSON.parse(good), ...doc }), "policy/linux.json");
    expect(bad({ drivers: "libcuda.so.1" })).toThrow(PolicyError);
    expect(bad({ drivers: "libcuda.so.1" })).toThrow(/^policy\/linux\.json: drivers: /);
    expect(bad({ runtime: [] })).toThrow(/policy\/linux\.json: \(root\): Unrecognized key/);
    expect(bad({ os: "beos" })).toThrow(/os: /);
    expect(bad({ runtimes: ["libc.so.6"] })).toThrow("policy/linux.json: libc.so.6 listed as system and as driver or runtime");
    expect(() => parseLibraryPolicy("{", "policy/linux.json")).toThrow(/^policy\/linux\.json: \(root\): misses a ',' or '}'|^policy\/linux\.json: \(root\): has an object key/);
    expect(() => parseLibraryPolicy('{"os": "linux", "os": "linux"}', "policy/linux.json")).toThrow(/^policy\/linux\.json: os: repeats the key "os"/);
  });
});
