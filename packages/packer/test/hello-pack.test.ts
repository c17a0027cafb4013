import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { FailureError } from "@baiengine/cli-kit/errors";
import { extractPackage, readBinaryFile, verifyPackage } from "@baiengine/verifier";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { collectClosure } from "../src/collect/collect-closure.js";
import { BuildFailedError } from "../src/errors.js";
import { pack } from "../src/pack.js";
import { tempDirSync } from "@baiengine/test-kit";

// Real CMake builds of the hello fixture on this host: pack, verify, extract, run, repack.
describe("pack hello (cpu, host)", () => {
  const root = tempDirSync("hello");
  const cacheDir = path.join(root, "cache");
  const out = path.join(root, "out");

  it("builds a package the verifier accepts, which runs extracted elsewhere with an empty environment", async () => {
    const result = await pack({ engine: "hello", accel: "cpu", out, cacheDir });
    expect(path.basename(result.file)).toBe("hello-0.1.0-linux-x86_64-cpu.baiengine");
    expect(readFileSync(`${result.file}.sha256`, "utf8")).toBe(`${result.sha256}  ${path.basename(result.file)}\n`);
    expect(readdirSync(out).sort()).toEqual([path.basename(result.file), `${path.basename(result.file)}.sha256`]);
    expect(result.manifest.requirements?.glibc).toMatch(/^2\.\d+$/);
    expect(result.reusedBuild).toBe(false);
    expect(Object.keys(result.timings)).toEqual(expect.arrayContaining(["configure", "build", "collect", "archive", "verify", "total"]));

    const report = await verifyPackage(result.file);
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(report.ok).toBe(true);

    const dest = path.join(root, "extracted");
    const extracted = await extractPackage(result.file, dest);
    expect(extracted.files).toEqual(expect.arrayContaining(["package/hello-server", "package/libs/libhello-base.so.0", "package/libhello-greeter.so", "package/LICENSE", "package/manifest.json"]));
    const server = path.join(dest, "package", "hello-server");
    const info = await readBinaryFile(server);
    expect(info?.runpath.concat(info.rpath).every((p) => p.startsWith("$ORIGIN"))).toBe(true);
    const elsewhere = path.join(root, "elsewhere");
    mkdirSync(elsewhere);
    const run = await execa(server, [], { cwd: elsewhere, env: {}, extendEnv: false });
    expect(run.stdout).toContain("hello from the greeter module (base 0.1.0)");
    const version = await execa(server, ["--version"], { cwd: elsewhere, env: {}, extendEnv: false });
    expect(version.stdout).toBe("hello-server version 0.1.0");
  });

  it("collects by the loader rules over the build folder: RUNPATH $ORIGIN reaches libhello-base.so.0 (a SONAME link), the C/C++ runtimes stay the system's; without the link it refuses, saying so", async () => {
    const { plan } = await pack({ engine: "hello", accel: "cpu", out, cacheDir });
    const closure = await collectClosure(plan.collect, plan.target);
    expect(closure.files.map((f) => [f.kind, f.to])).toEqual([
      ["server", "hello-server"],
      ["module", "libhello-greeter.so"],
      ["library", "libs/libhello-base.so.0"],
    ]);
    // Copied as the real file behind the SONAME link, under the name it is imported by.
    expect(closure.files[2]!.from).toBe(path.join(plan.collect.binaryDir, "libhello-base.so.0.1.0"));
    expect(closure.system).toEqual(expect.arrayContaining(["libc.so.6", "libstdc++.so.6"]));
    expect(closure.system).not.toContain("libhello-base.so.0");

    // The same build without its SONAME link: refused before archiving, saying what is wrong.
    const bin = path.join(root, "bin-without-soname-link");
    cpSync(plan.collect.binaryDir, bin, { recursive: true, verbatimSymlinks: true });
    rmSync(path.join(bin, "libhello-base.so.0"));
    const modules = plan.collect.modules ? { ...plan.collect.modules, dir: bin } : null;
    const broken = { ...plan.collect, binaryDir: bin, serverBinary: { ...plan.collect.serverBinary, from: path.join(bin, "hello-server") }, modules };
    const error = await collectClosure(broken, plan.target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FailureError);
    expect((error as FailureError).message).toBe(
      `the build's binaries cannot load every library they import (paths under ${bin}): hello-server needs libhello-base.so.0: the build folder has it only as libhello-base.so.0.1.0 (SONAME libhello-base.so.0), but the loader opens the file name libhello-base.so.0; add libhello-base.so.0 (a symbolic link to libhello-base.so.0.1.0, or a copy)`,
    );
  });

  it("packs twice to the same sha256, reusing the build folder; a fresh build folder gives the same bytes", async () => {
    const first = await pack({ engine: "hello", accel: "cpu", out, cacheDir });
    const second = await pack({ engine: "hello", accel: "cpu", out, cacheDir });
    expect(second.reusedBuild).toBe(true);
    expect(second.sha256).toBe(first.sha256);
    const fresh = await pack({ engine: "hello", accel: "cpu", out: path.join(root, "out-fresh"), cacheDir: path.join(root, "cache-fresh") });
    expect(fresh.reusedBuild).toBe(false);
    expect(fresh.sha256).toBe(first.sha256);
  });

  it("serialises two packs of one cell on the build folder: both finish with the same bytes", async () => {
    const cache = path.join(root, "cache-concurrent");
    const logs: string[] = [];
    const reporter = { log: (_level: string, message: string) => logs.push(message) };
    const [a, b] = await Promise.all([
      pack({ engine: "hello", accel: "cpu", out: path.join(root, "out-a"), cacheDir: cache }, { reporter }),
      pack({ engine: "hello", accel: "cpu", out: path.join(root, "out-b"), cacheDir: cache }, { reporter }),
    ]);
    expect(a.sha256).toBe(b.sha256);
    expect([a.reusedBuild, b.reusedBuild].sort()).toEqual([false, true]);
    expect(logs.some((m) => m.startsWith("waiting for another pack of this cell"))).toBe(true);
  });

  it("a broken build throws with the compiler's lines and the log path, and leaves no package", async () => {
    const brokenOut = path.join(root, "out-broken");
    const error = await pack({ engine: "hello", accel: "cpu", out: brokenOut, cacheDir, cmakeArgs: ["-DHELLO_FAIL_BUILD=ON"] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildFailedError);
    const failure = error as BuildFailedError;
    expect(failure.message).toContain("cmake build failed");
    expect(failure.message).toContain("HELLO_FAIL_BUILD is set, this compile fails on purpose");
    expect(failure.hint).toBe(`full log: ${failure.logFile}`);
    expect(readFileSync(failure.logFile, "utf8")).toContain("hello-base.cpp");
    expect(existsSync(brokenOut) ? readdirSync(brokenOut) : []).toEqual([]);
  });
});
