import { describe, expect, it } from "vitest";
import { listRuntimeProfiles, parseRuntimeProfiles, runtimeForToken, runtimeProviding } from "../src/index.js";

describe("runtime profiles (data/runtimes.json, validated when loaded)", () => {
  it("CUDA 12 and 13 carry cudart, cuBLAS and cuBLASLt under their sonames (Linux) and DLL names (Windows)", () => {
    for (const major of [12, 13]) {
      expect(runtimeForToken(`cuda${major}`, "linux")?.platform.redistributable).toEqual([`libcudart.so.${major}`, `libcublas.so.${major}`, `libcublasLt.so.${major}`]);
      expect(runtimeForToken(`cuda${major}`, "windows")?.platform.redistributable).toEqual([`cudart64_${major}.dll`, `cublas64_${major}.dll`, `cublasLt64_${major}.dll`]);
      expect(runtimeForToken(`cuda${major}`, "linux")?.profile.id).toBe(`cuda${major}-runtime`);
    }
    expect(runtimeForToken("cuda13", "macos")).toBeNull();
    expect(runtimeForToken("cpu", "linux")).toBeNull();
  });

  it("ROCm 6 carries the HIP runtime, hipBLAS/rocBLAS with rocBLAS's kernel folder, and hipBLASLt", () => {
    const rocm = runtimeForToken("rocm6", "linux");
    expect(rocm?.platform.redistributable).toEqual(expect.arrayContaining(["libamdhip64.so.6", "libhipblas.so.2", "librocblas.so.4", "libhipblaslt.so.0"]));
    expect(rocm?.platform.dataDirs).toEqual(["rocblas/library", "hipblaslt/library"]);
    expect(rocm?.platform.licenses.map((l) => l.to)).toEqual(["licenses/HIP-LICENSE.txt", "licenses/rocBLAS-LICENSE.md", "licenses/hipBLAS-LICENSE.md", "licenses/hipBLASLt-LICENSE.md"]);
  });

  it("names the runtime a library belongs to; never the driver", () => {
    expect(runtimeProviding("linux", "libcudart.so.13")?.profile.id).toBe("cuda13-runtime");
    expect(runtimeProviding("linux", "libcublasLt.so.12")?.profile.id).toBe("cuda12-runtime");
    expect(runtimeProviding("windows", "CUBLAS64_13.DLL")?.profile.id).toBe("cuda13-runtime");
    expect(runtimeProviding("linux", "libcuda.so.1")).toBeNull();
    expect(runtimeProviding("windows", "nvcuda.dll")).toBeNull();
    expect(runtimeProviding("windows", "libcudart.so.13")).toBeNull();
  });

  it("refuses data that contradicts itself, one line per problem", () => {
    const cuda13 = structuredClone(listRuntimeProfiles().find((p) => p.id === "cuda13-runtime")!);
    cuda13.id = "cuda12-runtime";
    cuda13.platforms[0]!.seeds.push("libcufft.so.13");
    cuda13.platforms[0]!.licenses[0]!.to = "EULA.txt";
    expect(() => parseRuntimeProfiles({ profiles: [cuda13] })).toThrow(
      [
        'profiles[0].id: expected "cuda13-runtime" (the token of cuda 13), got "cuda12-runtime"',
        "profiles[0].platforms[0].seeds: libcufft.so.13 is not in redistributable",
        "profiles[0].platforms[0].licenses: EULA.txt must lie under licenses/",
      ].join("\n  "),
    );
    expect(() => parseRuntimeProfiles({ profiles: [{ ...cuda13, accelerator: "vulkan" }] })).toThrow(/profiles\[0\]\.accelerator/);
  });
});
