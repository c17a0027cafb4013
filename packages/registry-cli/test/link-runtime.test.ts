import { existsSync, statfsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RuntimeManifest } from "@baiengine/schema";
import { describe, expect, it } from "vitest";
import { linkRuntime, runtimeLinkFolder } from "../src/install/link-runtime.js";
import { cuda13RuntimeManifest, tempDir } from "@baiengine/test-kit";

const manifest = (os: RuntimeManifest["os"], provides: string[]): RuntimeManifest => ({ ...cuda13RuntimeManifest(), os, provides });

/** A runtime store folder with real files under libs/ (a data sub-folder too, as rocBLAS has). */
async function store(root: string, files: string[]): Promise<string> {
  for (const f of files) {
    await mkdir(join(root, "libs", f, ".."), { recursive: true });
    await writeFile(join(root, "libs", f), `bytes of ${f}`);
  }
  return root;
}

describe("linkRuntime: where each OS's loader already looks, hard links else copies", () => {
  it("names the folder per OS: libs/ beside the server on ELF and Mach-O, the .exe's own folder on Windows", () => {
    expect(runtimeLinkFolder({ os: "linux", serverBinary: "llama-server" })).toBe("libs");
    expect(runtimeLinkFolder({ os: "macos", serverBinary: "bin/llama-server" })).toBe("bin/libs");
    expect(runtimeLinkFolder({ os: "windows", serverBinary: "llama-server.exe" })).toBe(".");
    expect(runtimeLinkFolder({ os: "windows", serverBinary: "bin/llama-server.exe" })).toBe("bin");
  });

  it("Windows: the DLLs land beside the .exe as hard links, sub-folders kept; a DLL the package has is kept", async () => {
    const root = await tempDir();
    const dir = await store(join(root, "store"), ["cudart64_13.dll", "cublas64_13.dll", "library/TensileLibrary.dat"]);
    const pkg = join(root, "package");
    await mkdir(join(pkg, "bin"), { recursive: true });
    await writeFile(join(pkg, "bin", "cudart64_13.dll"), "the package's own");
    const links = await linkRuntime({ dir, manifest: manifest("windows", ["cudart64_13.dll", "cublas64_13.dll"]) }, pkg, { os: "windows", serverBinary: "bin/llama-server.exe" });
    expect(links).toEqual({ folder: "bin", linked: 2, copied: 0, kept: ["bin/cudart64_13.dll"] });
    expect(await readFile(join(pkg, "bin", "cudart64_13.dll"), "utf8")).toBe("the package's own");
    expect((await stat(join(pkg, "bin", "library", "TensileLibrary.dat"))).ino).toBe((await stat(join(dir, "libs", "library", "TensileLibrary.dat"))).ino);
  });

  it("copies when a hard link cannot be made (the store on another file system: EXDEV)", async () => {
    // /dev/shm is a tmpfs, the temp folder is not: a real cross-device link attempt.
    const shm = "/dev/shm";
    const root = await tempDir();
    expect(existsSync(shm) && statfsSync(shm).type !== statfsSync(root).type).toBe(true);
    const dir = await store(await mkdtemp(join(shm, "runtime-store-")), ["libcudart.so.13"]);
    try {
      const pkg = join(root, "package");
      const links = await linkRuntime({ dir, manifest: manifest("linux", ["libcudart.so.13"]) }, pkg, { os: "linux", serverBinary: "llama-server" });
      expect(links).toEqual({ folder: "libs", linked: 0, copied: 1, kept: [] });
      expect(await readFile(join(pkg, "libs", "libcudart.so.13"), "utf8")).toBe("bytes of libcudart.so.13");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
