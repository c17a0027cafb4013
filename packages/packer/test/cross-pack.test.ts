import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { extractPackage, readBinaryFile, verifyPackage } from "@baiengine/verifier";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { pack } from "../src/pack.js";
import { which } from "@baiengine/cli-kit/system";
import { NO_DEVICE, STUB_DEVICE } from "./helpers/devices.js";
import { tempDirSync } from "@baiengine/test-kit";

/** The COFF header's TimeDateStamp of a PE file (seconds since the epoch; PE/COFF spec: 4 bytes after the machine and section count). */
function peTimeDateStamp(file: string): number {
  const bytes = readFileSync(file);
  return bytes.readUInt32LE(bytes.readUInt32LE(0x3c) + 8);
}

/** These tests need Debian's cross toolchains and emulators (installed by .ci/run); fail clearly when absent. */
function requireTools(...tools: string[]): void {
  const missing = tools.filter((t) => which(t) === null);
  if (missing.length > 0) throw new Error(`missing ${missing.join(", ")}: apt-get install gcc-aarch64-linux-gnu g++-aarch64-linux-gnu mingw-w64 qemu-user wine`);
}

describe("cross packs of hello", () => {
  const root = tempDirSync("cross");
  const cacheDir = path.join(root, "cache");
  const out = path.join(root, "out");

  it("linux-aarch64: aarch64 ELF binaries with $ORIGIN run paths, runs under qemu-aarch64", async () => {
    requireTools("aarch64-linux-gnu-g++", "qemu-aarch64");
    const result = await pack({ engine: "hello", accel: "cpu", os: "linux", arch: "aarch64", out, cacheDir });
    expect(path.basename(result.file)).toBe("hello-0.1.0-linux-aarch64-cpu.baiengine");
    expect(result.manifest.build?.toolchain).toBe("linux-aarch64-cross");
    expect(result.manifest.build?.compiler).toMatch(/aarch64-linux-gnu-g\+\+/);
    expect((await verifyPackage(result.file)).ok).toBe(true);
    const dest = path.join(root, "aarch64");
    await extractPackage(result.file, dest);
    for (const file of ["hello-server", "libs/libhello-base.so.0", "libhello-greeter.so"]) {
      const info = await readBinaryFile(path.join(dest, "package", file));
      expect([info?.format, info?.machine, info?.arch], file).toEqual(["elf", "aarch64", "aarch64"]);
      expect([...(info?.runpath ?? []), ...(info?.rpath ?? [])].every((p) => p.startsWith("$ORIGIN")), file).toBe(true);
    }
    const cwd = path.join(root, "elsewhere-a");
    mkdirSync(cwd);
    const run = await execa("qemu-aarch64", ["-L", "/usr/aarch64-linux-gnu", path.join(dest, "package", "hello-server")], { cwd, env: { PATH: "/usr/bin:/bin" }, extendEnv: false });
    expect(run.stdout).toContain("hello from the greeter module (base 0.1.0)");
  });

  it("windows-x86_64: PE x86_64 .exe with its DLLs and the mingw runtime DLLs beside it, runs under wine", async () => {
    requireTools("x86_64-w64-mingw32-g++-posix", "wine");
    const result = await pack({ engine: "hello", accel: "cpu", os: "windows", arch: "x86_64", out, cacheDir });
    expect(path.basename(result.file)).toBe("hello-0.1.0-windows-x86_64-cpu.baiengine");
    expect(result.manifest.serverBinary).toBe("hello-server.exe");
    expect(result.manifest.build?.toolchain).toBe("windows-x86_64-mingw");
    const report = await verifyPackage(result.file);
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    const dest = path.join(root, "windows");
    const extracted = await extractPackage(result.file, dest);
    // the runtime DLLs were found by reading PE imports, and sit beside the .exe
    expect(extracted.files).toEqual(
      expect.arrayContaining(["package/hello-server.exe", "package/libhello-base.dll", "package/hello-greeter.dll", "package/libstdc++-6.dll", "package/libgcc_s_seh-1.dll", "package/libwinpthread-1.dll"]),
    );
    const exe = await readBinaryFile(path.join(dest, "package", "hello-server.exe"));
    expect([exe?.format, exe?.machine, exe?.kind]).toEqual(["pe", "x86_64", "executable"]);
    // Reproducible: every PE file carries the archive time, not the time it was linked or stripped, so a second pack is the same bytes.
    for (const file of extracted.files.filter((f) => /\.(exe|dll)$/.test(f))) expect(peTimeDateStamp(path.join(dest, file)), file).toBe(result.plan.mtime);
    // The linker's other stamp, the export directory's, is the archive time too (SOURCE_DATE_EPOCH at link time): a fresh build is the same bytes.
    for (const file of ["package/libhello-base.dll", "package/hello-greeter.dll"]) {
      const { stdout } = await execa("x86_64-w64-mingw32-objdump", ["-p", path.join(dest, file)]);
      expect(/^Time\/Date stamp\s+([0-9a-f]+)$/m.exec(stdout)?.[1], file).toBe(result.plan.mtime!.toString(16));
    }
    const again = await pack({ engine: "hello", accel: "cpu", os: "windows", arch: "x86_64", out: path.join(root, "out-again"), cacheDir });
    expect([again.reusedBuild, again.sha256]).toEqual([true, result.sha256]);
    expect(exe?.needed.map((n) => n.toLowerCase())).toEqual(expect.arrayContaining(["libhello-base.dll", "libstdc++-6.dll", "kernel32.dll"]));
    const cwd = path.join(root, "elsewhere-w");
    mkdirSync(cwd);
    const run = await execa("wine", [path.join(dest, "package", "hello-server.exe")], {
      cwd,
      env: { PATH: "/usr/bin:/bin", HOME: root, WINEPREFIX: path.join(root, "wineprefix"), WINEDEBUG: "-all" },
      extendEnv: false,
      timeout: 120_000,
    });
    expect(run.stdout).toContain("hello from the greeter module (base 0.1.0)");
  }, 180_000);

  it("windows-x86_64 cuda13 (GPU-shaped): hello-gpu.dll imports hellort64_1.dll, found beside the .exe under wine", async () => {
    requireTools("x86_64-w64-mingw32-g++-posix", "wine");
    const result = await pack({ engine: "hello", accel: "cuda13", os: "windows", arch: "x86_64", out, cacheDir });
    expect(path.basename(result.file)).toBe("hello-0.1.0-windows-x86_64-cuda13.baiengine");
    expect((await verifyPackage(result.file)).findings.filter((f) => f.severity === "error")).toEqual([]);
    const dest = path.join(root, "windows-gpu");
    const extracted = await extractPackage(result.file, dest);
    expect(extracted.files).toContain("package/hello-gpu.dll");
    expect(extracted.files.filter((f) => f.toLowerCase().includes("hellort"))).toEqual([]);
    const backend = await readBinaryFile(path.join(dest, "package", "hello-gpu.dll"));
    expect(backend?.needed.map((n) => n.toLowerCase())).toContain("hellort64_1.dll");

    const cwd = path.join(root, "elsewhere-gpu");
    mkdirSync(cwd);
    const env = { PATH: "/usr/bin:/bin", HOME: root, WINEPREFIX: path.join(root, "wineprefix"), WINEDEBUG: "-all" };
    const listDevices = async () =>
      (await execa("wine", [path.join(dest, "package", "hello-server.exe"), "--list-devices"], { cwd, env, extendEnv: false, timeout: 120_000 })).stdout.replace(/\r\n/g, "\n");
    expect(await listDevices()).toBe(NO_DEVICE);
    copyFileSync(path.join(result.plan.buildDir, "runtime", "hellort64_1.dll"), path.join(dest, "package", "hellort64_1.dll"));
    expect(await listDevices()).toBe(STUB_DEVICE);
  }, 240_000);
});
