import path from "node:path";
import { readBinaryFile } from "@baiengine/verifier";
import { describe, expect, inject, it } from "vitest";
import { runtimeRequirement } from "../../src/stage/runtime-requirement.js";

const needed = async (file: string) => (await readBinaryFile(file))?.needed ?? [];

describe("the manifest's runtime, derived from what the binaries link", () => {
  it("node-llama-cpp's libggml-cuda.so (libcudart.so.13, libcublas.so.13, libcuda.so.1) needs cuda13-runtime", async () => {
    const links = await needed(path.join(inject("nodeLlamaCpp").linux, "bins/linux-x64-cuda/libggml-cuda.so"));
    expect(runtimeRequirement(links, "linux", "13.0.88")).toEqual({ id: "cuda13-runtime", minVersion: "13.0" });
    // Built with a CUDA 12 toolkit but linking CUDA 13's runtime: the edge follows the link, the verifier refuses the token.
    expect(runtimeRequirement(links, "linux", "12.4")).toEqual({ id: "cuda13-runtime", minVersion: "13.0" });
  });

  it("node-llama-cpp's ggml-cuda.dll (cublas64_13.dll; cudart is static) needs cuda13-runtime", async () => {
    const links = await needed(path.join(inject("nodeLlamaCpp").windows, "bins/win-x64-cuda/ggml-cuda.dll"));
    expect(links).toContain("cublas64_13.dll");
    expect(runtimeRequirement(links, "windows", "13.1.80")).toEqual({ id: "cuda13-runtime", minVersion: "13.1" });
  });

  it("links to the driver or the C library alone need no runtime", () => {
    expect(runtimeRequirement(["libcuda.so.1", "libc.so.6", "libvulkan.so.1"], "linux", "13.0")).toBeUndefined();
    expect(runtimeRequirement(["nvcuda.dll", "KERNEL32.dll"], "windows", null)).toBeUndefined();
  });
});
