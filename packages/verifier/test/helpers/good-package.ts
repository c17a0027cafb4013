import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tar from "tar";
import { type RawEntry, VALID_MANIFEST } from "./tar-writer.js";

const SERVER_C = `#include <stdio.h>
#include <string.h>
const char *hello_version(void);
int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--version") == 0) { printf("version: %s (verifier test server)\\n", hello_version()); return 0; }
  fprintf(stderr, "usage: llama-server --version\\n");
  return 2;
}
`;
const LIB_C = `const char *hello_version(void) { return "1.0.0"; }\n`;

export interface Staging {
  /** Folder holding package/. */
  root: string;
  server: Buffer;
  library: Buffer;
  manifest: Buffer;
}

function run(command: string, args: string[], cwd: string): void {
  try {
    execFileSync(command, args, { cwd, stdio: "pipe" });
  } catch (error) {
    throw new Error(`${command} ${args.join(" ")} failed (is gcc installed?): ${(error as Error).message}`);
  }
}

/**
 * A realistic package layout: a C server executable linked against a bundled SONAME library
 * found through RUNPATH $ORIGIN/libs, with the SONAME symlink, built by gcc.
 */
export function buildStaging(root: string, manifest: object = VALID_MANIFEST): Staging {
  const src = join(root, "src");
  const pkg = join(root, "package");
  mkdirSync(src, { recursive: true });
  mkdirSync(join(pkg, "libs"), { recursive: true });
  writeFileSync(join(src, "server.c"), SERVER_C);
  writeFileSync(join(src, "hello.c"), LIB_C);
  run("gcc", ["-shared", "-fPIC", "-O1", "-Wl,-soname,libhello.so.1", "-o", join(pkg, "libs", "libhello.so.1.0.0"), "hello.c"], src);
  symlinkSync("libhello.so.1.0.0", join(pkg, "libs", "libhello.so.1"));
  run("gcc", ["-O1", "-o", join(pkg, "llama-server"), "server.c", join(pkg, "libs", "libhello.so.1.0.0"), "-Wl,-rpath,$ORIGIN/libs"], src);
  chmodSync(join(pkg, "llama-server"), 0o755);
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(pkg, "manifest.json"), manifestBytes);
  return {
    root,
    server: readFileSync(join(pkg, "llama-server")),
    library: readFileSync(join(pkg, "libs", "libhello.so.1.0.0")),
    manifest: manifestBytes,
  };
}

/**
 * The smallest package the verifier accepts, for tests that make thousands of archives: a 632-byte
 * static server (no libc: `_start` exits) and a 1.5 KB bundled shared library, by gcc.
 */
export function buildTinyStaging(root: string): Staging {
  const src = join(root, "src");
  const pkg = join(root, "package");
  mkdirSync(src, { recursive: true });
  mkdirSync(join(pkg, "libs"), { recursive: true });
  writeFileSync(join(src, "tiny.c"), 'void _start(void) { __asm__ volatile("mov $60, %eax\\n xor %edi, %edi\\n syscall"); }\n');
  writeFileSync(join(src, "lib.c"), "int hello(void) { return 1; }\n");
  const small = ["-nostdlib", "-Os", "-s", "-Wl,--build-id=none"];
  run("gcc", [...small, "-static", "-Wl,-n", "-o", join(pkg, "llama-server"), "tiny.c"], src);
  run("gcc", [...small, "-shared", "-fPIC", "-Wl,-z,noseparate-code", "-Wl,-z,max-page-size=0x10", "-Wl,-z,norelro", "-Wl,-soname,libhello.so.1", "-o", join(pkg, "libs", "libhello.so.1.0.0"), "lib.c"], src);
  const manifestBytes = Buffer.from(`${JSON.stringify(VALID_MANIFEST)}\n`);
  return { root, server: readFileSync(join(pkg, "llama-server")), library: readFileSync(join(pkg, "libs", "libhello.so.1.0.0")), manifest: manifestBytes };
}

/** Packs the staging folder the way the packer does (node-tar, gzip, portable headers). */
export async function packWithNodeTar(staging: Staging, file: string): Promise<void> {
  await tar.c({ gzip: true, file, cwd: staging.root, portable: true }, ["package"]);
}

export function packWithGnuTar(staging: Staging, file: string): void {
  run("tar", ["--owner=0", "--group=0", "--format=gnu", "-czf", file, "package"], staging.root);
}

/** The good package's members, written by the test tar writer (to append hostile members to). */
export function goodMembers(staging: Staging, manifest?: Buffer): RawEntry[] {
  return [
    { name: "package/", type: "5" },
    { name: "package/manifest.json", data: manifest ?? staging.manifest },
    { name: "package/llama-server", data: staging.server, mode: 0o755 },
    { name: "package/libs/", type: "5" },
    { name: "package/libs/libhello.so.1.0.0", data: staging.library, mode: 0o755 },
    { name: "package/libs/libhello.so.1", type: "2", linkname: "libhello.so.1.0.0" },
  ];
}
