import { listAcceleratorProfiles } from "@baiengine/profiles";
import { describe, expect, it } from "vitest";
import { githubRuntimeMatrix, planRuntimeCells } from "../src/runtime-cells.js";
import { matrix } from "./helpers.js";

describe("runtime cells", () => {
  it("one per accelerator and platform that has a runtime, with the engine cells' toolkit set-up and a toolkit cache key", () => {
    const cells = planRuntimeCells(listAcceleratorProfiles());
    expect(cells.map((c) => c.id).sort()).toEqual([
      "cuda12-runtime-linux-x86_64",
      "cuda12-runtime-windows-x86_64",
      "cuda13-runtime-linux-x86_64",
      "cuda13-runtime-windows-x86_64",
      "rocm6-runtime-linux-x86_64",
    ]);
    const linux13 = cells.find((c) => c.id === "cuda13-runtime-linux-x86_64")!;
    expect(linux13).toMatchObject({ runtime: "cuda13-runtime", accelerator: "cuda13", container: "nvidia/cuda:13.0.0-devel-ubuntu22.04", cacheKey: "cuda13-runtime-linux-x86_64-nvidia_cuda_13.0.0-devel-ubuntu22.04" });
    expect(linux13.packCommand).toBe("pnpm pack-runtime --accel cuda13 --os linux --arch x86_64 --out dist/runtimes");
    expect(linux13.verifyCommand).toBe("pnpm verify-engine dist/runtimes/cuda13-runtime-*-linux-x86_64.bairuntime");
    expect(cells.find((c) => c.id === "cuda12-runtime-windows-x86_64")).toMatchObject({ cudaToolkit: "12.8.1", container: null, cacheKey: "cuda12-runtime-windows-x86_64-12.8.1" });
  });

  it("narrows to one runtime; an unknown one is a usage error naming those that exist", () => {
    expect(planRuntimeCells(listAcceleratorProfiles(), { runtime: "rocm6-runtime" }).map((c) => c.id)).toEqual(["rocm6-runtime-linux-x86_64"]);
    expect(() => planRuntimeCells(listAcceleratorProfiles(), { runtime: "cuda99-runtime" })).toThrow('no runtime cell for "cuda99-runtime"');
    expect(githubRuntimeMatrix(planRuntimeCells(listAcceleratorProfiles(), { runtime: "rocm6-runtime" })).include[0]).toMatchObject({ artifact: "bairuntime-rocm6-runtime-linux-x86_64", "cache-key": expect.stringContaining("rocm") });
  });

  it("`matrix runtimes` prints them (built CLI)", async () => {
    const run = await matrix(["runtimes", "--runtime", "cuda12-runtime"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("pnpm pack-runtime --accel cuda12 --os windows --arch x86_64 --out dist/runtimes");
    const bad = await matrix(["runtimes", "--runtime", "nope"]);
    expect(bad.code).toBe(2);
  });
});
