import { listAcceleratorProfiles, listEngineProfiles, listToolchainProfiles } from "@baiengine/profiles";
import { describe, expect, it } from "vitest";
import { type HostFacts, planHostBuild } from "../src/host/host-plan.js";
import { PACKER_DIR } from "../src/default-sources.js";
import { planMatrix } from "../src/plan-matrix.js";

const host = { os: "linux", arch: "x86_64" } as const;
const sources = { engines: listEngineProfiles(), accelerators: listAcceleratorProfiles(), toolchains: listToolchainProfiles(host), packerDir: PACKER_DIR };
const llama = planMatrix({ engine: "llama-cpp", localSource: "/src/llama.cpp" }, sources);
const plan = (tools: HostFacts["tools"]) => planHostBuild(llama, { host, tools }, sources.toolchains, sources.accelerators);
const ids = (cells: { cell: { id: string } }[]) => cells.map((c) => c.cell.id.replace("llama-cpp-", "")).sort();
const CROSS_TOOLS = {
  "aarch64-linux-gnu-gcc": {},
  "aarch64-linux-gnu-g++": {},
  "x86_64-w64-mingw32-gcc-posix": {},
  "x86_64-w64-mingw32-g++-posix": {},
  "qemu-aarch64": {},
  wine: {},
};

describe("planHostBuild", () => {
  it("on Linux x86_64 with cross compilers and nvcc 13 builds cpu, the cross cpu cells and cuda13", () => {
    const p = plan({ ...CROSS_TOOLS, nvcc: { version: "13.0" } });
    expect(ids(p.build)).toEqual(["linux-aarch64-cpu", "linux-x86_64-cpu", "linux-x86_64-cuda13", "windows-x86_64-cpu"]);
    const reasons = Object.fromEntries(p.skipped.map((s) => [s.cell.id.replace("llama-cpp-", ""), s.reason]));
    expect(reasons["linux-x86_64-cuda12"]).toBe("needs nvcc 12.x, found 13.0");
    expect(reasons["linux-x86_64-rocm6"]).toBe("hipcc is not on PATH");
    expect(reasons["macos-aarch64-metal"]).toBe("needs a macos-aarch64 runner (no cross toolchain from linux-x86_64)");
    expect(reasons["windows-x86_64-cuda13"]).toMatch(/^needs a windows-x86_64 runner: nvcc is not cross-built/);
    expect(p.build.length + p.skipped.length).toBe(llama.length);
  });

  it("smoke-runs native packages, cross ones under their emulator, and never GPU ones", () => {
    const p = plan({ ...CROSS_TOOLS, nvcc: { version: "13.0" } });
    const by = Object.fromEntries(p.build.map((b) => [b.cell.id.replace("llama-cpp-", ""), b]));
    expect(by["linux-x86_64-cpu"]).toMatchObject({ toolchain: "native", smoke: true, emulate: false });
    expect(by["linux-aarch64-cpu"]).toMatchObject({ toolchain: "linux-aarch64-cross", smoke: true, emulate: true });
    expect(by["windows-x86_64-cpu"]).toMatchObject({ toolchain: "windows-x86_64-mingw", smoke: true, emulate: true });
    expect(by["linux-x86_64-cuda13"]).toMatchObject({ toolchain: "native", smoke: false });
  });

  it("skips cross cells whose compilers are missing, saying which", () => {
    const p = plan({});
    expect(ids(p.build)).toEqual(["linux-x86_64-cpu"]);
    expect(p.skipped.find((s) => s.cell.id === "llama-cpp-windows-x86_64-cpu")?.reason).toBe(
      "cross toolchain windows-x86_64-mingw is not installed (x86_64-w64-mingw32-gcc-posix, x86_64-w64-mingw32-g++-posix not on PATH)",
    );
    expect(p.skipped.find((s) => s.cell.id === "llama-cpp-linux-x86_64-cuda13")?.reason).toBe("nvcc is not on PATH");
  });

  it("on an Apple silicon Mac builds the macOS aarch64 cells natively", () => {
    const mac = { os: "macos", arch: "aarch64" } as const;
    const p = planHostBuild(llama, { host: mac, tools: { xcrun: {} } }, listToolchainProfiles(mac), sources.accelerators);
    expect(ids(p.build)).toEqual(["macos-aarch64-cpu", "macos-aarch64-metal"]);
  });
});

describe("planMatrix with other tables", () => {
  it("keeps only what the platform matrix allows and the engine builds", () => {
    const cells = planMatrix({ engine: "hello" }, sources, [{ os: "linux", arch: "x86_64", accelerators: ["cpu", "cuda"], origin: "design" }]);
    expect(cells.map((c) => c.id)).toEqual(["hello-linux-x86_64-cpu"]);
  });

  it("every cell of every engine has a runner and a toolkit set-up", () => {
    const cells = planMatrix({ version: "b1" }, sources);
    // 13 cells for each of llama-cpp, whisper-cpp and sd-cpp (every accelerator profile), 5 cpu cells of hello
    expect(cells.length).toBe(3 * 13 + 5);
    for (const c of cells) expect(c.runsOn).not.toBe("");
  });
});
