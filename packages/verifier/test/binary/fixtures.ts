import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDirSync } from "@baiengine/test-kit";

/** Runs a tool; a missing tool fails the test with the Debian package that provides it. */
export function run(tool: string, args: string[], debianPackage: string, cwd?: string): string {
  try {
    return execFileSync(tool, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === "ENOENT") throw new Error(`${tool} is not installed: apt-get install ${debianPackage}`);
    throw new Error(`${tool} ${args.join(" ")} failed: ${e.stderr ?? e.message}`);
  }
}

const FOO_C = "int foo(int x) { return x + 1; }\n";
const MAIN_C = "int foo(int);\nint main(void) { return foo(1) == 2 ? 0 : 1; }\n";
// pthread_self() makes the mingw build import libwinpthread-1.dll directly, as llama.cpp's does.
const CXX = `#include <iostream>
#include <string>
#include <thread>
#include <pthread.h>
int main() { std::string s = "hi"; std::thread t([&] { s += "!"; }); t.join(); std::cout << s << (long)pthread_self() << std::endl; return 0; }
`;

export interface ElfFixtures {
  dir: string;
  lib: string; // SONAME libfoo.so.1
  appOriginLibs: string; // RUNPATH $ORIGIN/libs
  appAbsolute: string; // RUNPATH /home/builder/llama/build/bin
  appRpath: string; // DT_RPATH $ORIGIN
  appNoPath: string; // no run path
  cxx: string; // C++ with libstdc++ symbol versions
}

/** Tiny C/C++ programs built with a GNU toolchain (`gcc` or `aarch64-linux-gnu-gcc`) into a fresh temp folder. */
export function buildElfFixtures(prefix: "" | "aarch64-linux-gnu-", debianPackage: string): ElfFixtures {
  const dir = tempDirSync(`verifier-elf-${prefix || "native-"}`.slice(0, -1));
  writeFileSync(join(dir, "foo.c"), FOO_C);
  writeFileSync(join(dir, "main.c"), MAIN_C);
  writeFileSync(join(dir, "hello.cpp"), CXX);
  const cc = (args: string[]) => run(`${prefix}gcc`, args, debianPackage, dir);
  cc(["-shared", "-fPIC", "-o", "libfoo.so", "-Wl,-soname,libfoo.so.1", "foo.c"]);
  const app = (name: string, flags: string[]) => {
    cc(["-o", name, "main.c", "-L.", "-lfoo", ...flags]);
    return join(dir, name);
  };
  const fixtures: ElfFixtures = {
    dir,
    lib: join(dir, "libfoo.so"),
    appOriginLibs: app("app-origin-libs", ["-Wl,--enable-new-dtags", "-Wl,-rpath,$ORIGIN/libs"]),
    appAbsolute: app("app-absolute", ["-Wl,--enable-new-dtags", "-Wl,-rpath,/home/builder/llama/build/bin:$ORIGIN"]),
    appRpath: app("app-rpath", ["-Wl,--disable-new-dtags", "-Wl,-rpath,$ORIGIN"]),
    appNoPath: app("app-no-path", []),
    cxx: join(dir, "hello"),
  };
  run(`${prefix}g++`, ["-o", "hello", "hello.cpp", "-pthread"], debianPackage.replace("gcc", "g++"), dir);
  return fixtures;
}

export interface PeFixtures {
  dir: string;
  delayed: string; // exe delay-loading foo.dll (see withDelayImportDirectory)
  dll: string; // foo.dll
  app: string; // app.exe importing foo.dll
  cxx: string; // C++ exe importing libstdc++-6.dll, libgcc_s_seh-1.dll, libwinpthread-1.dll
}

const MINGW_PACKAGE = "mingw-w64 (gcc-mingw-w64-x86-64-posix, g++-mingw-w64-x86-64-posix)";

export function buildPeFixtures(): PeFixtures {
  const dir = tempDirSync("verifier-pe");
  writeFileSync(join(dir, "foo.c"), FOO_C);
  writeFileSync(join(dir, "main.c"), MAIN_C);
  writeFileSync(join(dir, "hello.cpp"), CXX);
  const cc = (args: string[]) => run("x86_64-w64-mingw32-gcc-posix", args, MINGW_PACKAGE, dir);
  cc(["-shared", "-o", "foo.dll", "foo.c"]);
  cc(["-o", "app.exe", "main.c", "foo.dll"]);
  run("x86_64-w64-mingw32-g++-posix", ["-o", "hello.exe", "hello.cpp"], MINGW_PACKAGE, dir);
  writeFileSync(join(dir, "foo.def"), "LIBRARY foo.dll\nEXPORTS\nfoo\n");
  run("x86_64-w64-mingw32-dlltool", ["--input-def", "foo.def", "--dllname", "foo.dll", "--output-delaylib", "libfoodelay.a"], MINGW_PACKAGE, dir);
  cc(["-o", "delayed.exe", "main.c", "-L.", "-lfoodelay"]);
  withDelayImportDirectory(join(dir, "delayed.exe"));
  return { dir, dll: join(dir, "foo.dll"), app: join(dir, "app.exe"), cxx: join(dir, "hello.exe"), delayed: join(dir, "delayed.exe") };
}

/**
 * GNU ld links dlltool's delay-load descriptor but leaves data directory 13 (Delay Import) empty, where MSVC's
 * link.exe fills it in. Do what link.exe does: point the directory at the descriptor (found by its symbol) with the
 * size of one 32-byte descriptor.
 */
function withDelayImportDirectory(exe: string): void {
  const symbols = run("x86_64-w64-mingw32-nm", [exe], MINGW_PACKAGE);
  const va = /^([0-9a-f]+) \S __DELAY_IMPORT_DESCRIPTOR_/m.exec(symbols);
  if (!va) throw new Error(`${exe}: no delay-import descriptor symbol`);
  const bytes = readFileSync(exe);
  const optionalHeader = bytes.readUInt32LE(0x3c) + 24;
  const imageBase = bytes.readBigUInt64LE(optionalHeader + 24); // PE32+
  bytes.writeUInt32LE(Number(BigInt(`0x${va[1]}`) - imageBase), optionalHeader + 112 + 13 * 8);
  bytes.writeUInt32LE(32, optionalHeader + 112 + 13 * 8 + 4);
  writeFileSync(exe, bytes);
}

/** What `readelf -d` and `readelf -V` say, for differential tests. */
export function readelfFacts(file: string) {
  const dynamic = run("readelf", ["-dW", file], "binutils");
  const pick = (tag: string) => [...dynamic.matchAll(new RegExp(`\\(${tag}\\)\\s+[^[]*\\[([^\\]]*)\\]`, "g"))].map((m) => m[1]!);
  const versions = run("readelf", ["-VW", file], "binutils");
  const needSection = versions.split("Version needs section")[1] ?? "";
  const names = [...needSection.matchAll(/Name: (\S+)\s+Flags/g)].map((m) => m[1]!);
  return { needed: pick("NEEDED"), soname: pick("SONAME")[0], rpath: pick("RPATH")[0], runpath: pick("RUNPATH")[0], versionNames: names };
}

/** DLL names from `objdump -p` (import and delay-import tables). */
export function objdumpImports(file: string): string[] {
  const out = run("x86_64-w64-mingw32-objdump", ["-p", file], "binutils-mingw-w64-x86-64");
  return [...out.matchAll(/DLL Name: (\S+)/g)].map((m) => m[1]!);
}
