import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { requireHostPlatform } from "@baiengine/cli-kit/system";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { matrix, REPO_ROOT } from "./helpers.js";

interface BuildJson {
  built: { id: string; toolchain: string; cache: "hit" | "miss"; turboHash: string; file: string; sha256: string; smoke: { ran: boolean; runner?: string } | null }[];
  skipped: { id: string; reason: string }[];
  failed: { id: string; reason: string }[];
}

const build = async (): Promise<BuildJson> => {
  const run = await matrix(["build", "--host", "--engine", "hello", "--json"]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as BuildJson;
};

/** What turbo would do for a cell, without running it (`turbo run pack-cell --dry=json`). */
async function dryRun(env: Record<string, string>): Promise<{ hash: string; status: string }> {
  const run = await execa(join(REPO_ROOT, "node_modules", ".bin", "turbo"), ["run", "pack-cell", "--filter=@baiengine/build-matrix", "--dry=json"], { cwd: REPO_ROOT, env });
  const task = (JSON.parse(run.stdout) as { tasks: { task: string; hash: string; cache: { status: string } }[] }).tasks.find((t) => t.task === "pack-cell")!;
  return { hash: task.hash, status: task.cache.status };
}

const host = requireHostPlatform("the build-matrix tests run on a platform of the registry");
const NATIVE = `hello-${host.os}-${host.arch}-cpu`;
const LINUX_X64 = host.os === "linux" && host.arch === "x86_64";

describe("matrix build --host --engine hello", () => {
  it("packs and verifies the cells this machine can build; the second run is a turbo cache hit", async () => {
    const first = await build();
    const ids = first.built.map((b) => b.id);
    // the native cpu cell is a real cmake build of the fixture, smoke-run here
    expect(ids).toContain(NATIVE);
    const native = first.built.find((b) => b.id === NATIVE)!;
    expect(native).toMatchObject({ toolchain: "native", smoke: { ran: true, runner: "native" } });
    expect(native.file).toBe(join(REPO_ROOT, "dist", "engines", `hello-0.1.0-${host.os}-${host.arch}-cpu.baiengine`));
    expect(createHash("sha256").update(await readFile(native.file)).digest("hex")).toBe(native.sha256);
    if (LINUX_X64) {
      // Linux x86_64 machines here and in CI have the cross compilers (.ci/run installs them)
      expect([...ids].sort()).toEqual(["hello-linux-aarch64-cpu", "hello-linux-x86_64-cpu", "hello-windows-x86_64-cpu"]);
      expect(first.skipped.map((s) => s.id).sort()).toEqual(["hello-macos-aarch64-cpu", "hello-macos-x86_64-cpu"]);
      expect(first.skipped[0]!.reason).toMatch(/^needs a macos-(aarch64|x86_64) runner/);
    }
    expect(first.built.length + first.skipped.length).toBe(5);
    expect(first.failed).toEqual([]);

    const second = await build();
    expect(second.built.map((b) => [b.id, b.cache])).toEqual(ids.map((id) => [id, "hit"]));
    for (const b of second.built) {
      const before = first.built.find((f) => f.id === b.id)!;
      expect(b.turboHash).toBe(before.turboHash);
      expect(b.sha256).toBe(before.sha256);
    }

    // turbo itself agrees: the cell is cached, and changing a variable that defines the cell is a miss
    const cell = {
      ...process.env,
      BAIENGINE_CELL: NATIVE,
      BAIENGINE_ENGINE: "hello",
      BAIENGINE_VERSION: "",
      BAIENGINE_OS: host.os,
      BAIENGINE_ARCH: host.arch,
      BAIENGINE_ACCEL: "cpu",
      BAIENGINE_SOURCE: "",
      BAIENGINE_SOURCE_REV: "",
      BAIENGINE_PACK_FLAGS: "{}",
    };
    expect(await dryRun(cell)).toEqual({ hash: native.turboHash, status: "HIT" });
    const changed = await dryRun({ ...cell, BAIENGINE_PACK_FLAGS: JSON.stringify({ cmakeArgs: ["-DX=1"] }) });
    expect(changed.status).toBe("MISS");
    expect(changed.hash).not.toBe(native.turboHash);
  }, 400_000);

  it("--dry-run lists what it would build and skip, building nothing", async () => {
    const run = await matrix(["build", "--host", "--engine", "hello", "--dry-run"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`build ${NATIVE} (native, smoke)`);
    expect(run.stdout.trim().split("\n")).toHaveLength(5);
  });

  it("an engine built from git needs --source or --version", async () => {
    const run = await matrix(["build", "--host", "--engine", "llama-cpp"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/error: engine llama-cpp is built from a git tag: pass --version/);
  });
});
