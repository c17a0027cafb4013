import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { verifyPackage } from "@baiengine/verifier";
import { execa } from "execa";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { gatherRuntimeFacts, packRuntime, planRuntimePack, RuntimePackRefusedError } from "../../src/index.js";
import { CUDA13_LINUX, CUDA13_WINDOWS, fakeToolkit } from "../../fixtures/fake-toolkit.mjs";
import { tempDirSync } from "@baiengine/test-kit";

const root = tempDirSync("runtime");
const linuxToolkit = path.join(root, "cuda-13.0");
const windowsToolkit = path.join(root, "cuda-13.0-win");
const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const linux = { os: "linux", arch: "x86_64" } as const;
const windows = { os: "windows", arch: "x86_64" } as const;

beforeAll(async () => {
  fakeToolkit(linuxToolkit, { libraries: CUDA13_LINUX });
  fakeToolkit(windowsToolkit, { windows: true, libraries: CUDA13_WINDOWS });
});

describe("planRuntimePack on a CUDA 13 toolkit (real libraries built here)", () => {
  it("takes the seeds and their closure inside the toolkit under their sonames, the version from version.json", async () => {
    const options = { accel: "cuda13", ...linux, toolkit: linuxToolkit, out: path.join(root, "out") };
    const plan = planRuntimePack(options, await gatherRuntimeFacts(options));
    expect(plan.blockers).toEqual([]);
    expect(plan.files.map((f) => [f.to, path.basename(f.from), f.neededBy])).toEqual([
      ["libs/libcudart.so.13", "libcudart.so.13.0.88", "libggml-cuda.so"],
      ["libs/libcublas.so.13", "libcublas.so.13.0.2.14", "libggml-cuda.so"],
      ["libs/libcublasLt.so.13", "libcublasLt.so.13.0.2.14", "libcublas.so.13"],
    ]);
    expect(plan.system).toEqual(["libc.so.6"]);
    expect(plan.outFile).toBe(path.join(root, "out", "cuda13-runtime-13.0.88-linux-x86_64.bairuntime"));
    expect(plan.manifest).toMatchObject({ runtimeId: "cuda13-runtime", version: "13.0.88", accelerator: "cuda", provides: ["libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13"], licenses: ["licenses/NVIDIA-CUDA-EULA.txt"] });
  });

  it("reads what node-llama-cpp's real libggml-cuda.so links: cudart and cuBLAS (cuBLASLt through cuBLAS), never the driver", async () => {
    const from = path.join(inject("nodeLlamaCpp").linux, "bins/linux-x64-cuda");
    const options = { accel: "cuda13", ...linux, toolkit: linuxToolkit, from: [from] };
    const facts = await gatherRuntimeFacts(options);
    expect(facts.engineLinks?.map((l) => l.name)).toEqual(expect.arrayContaining(["libcudart.so.13", "libcublas.so.13", "libcuda.so.1"]));
    const plan = planRuntimePack(options, facts);
    expect(plan.blockers).toEqual([]);
    expect(plan.files.map((f) => f.name)).toEqual(["libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13"]);
    expect(plan.files[0]!.neededBy).toBe(path.join(from, "libggml-cuda.so"));
  });

  it("refuses the cuda12 runtime for binaries that link libcudart.so.13", async () => {
    const from = path.join(inject("nodeLlamaCpp").linux, "bins/linux-x64-cuda");
    const options = { accel: "cuda12", ...linux, toolkit: linuxToolkit, from: [from] };
    const plan = planRuntimePack(options, await gatherRuntimeFacts(options));
    expect(plan.blockers).toContain(`${path.join(from, "libggml-cuda.so")} links libcudart.so.13, which is cuda13-runtime's, not cuda12-runtime's: pack the runtime of the toolkit the engine was built with`);
  });

  it("on Windows takes what ggml-cuda.dll imports (cuBLAS; its cudart is static) and cuBLASLt from bin/x64", async () => {
    const from = path.join(inject("nodeLlamaCpp").windows, "bins/win-x64-cuda");
    const options = { accel: "cuda13", ...windows, toolkit: windowsToolkit, from: [from] };
    const plan = planRuntimePack(options, await gatherRuntimeFacts(options));
    expect(plan.blockers).toEqual([]);
    expect(plan.files.map((f) => f.to)).toEqual(["libs/cublas64_13.dll", "libs/cublasLt64_13.dll"]);
    expect(plan.outFile).toMatch(/cuda13-runtime-13\.0\.88-windows-x86_64\.bairuntime$/);
  });

  it("blocks: no toolkit, a library that may not be redistributed, a toolkit of another major, no version", async () => {
    const missing = { accel: "cuda13", ...linux, toolkit: path.join(root, "nope") };
    expect(planRuntimePack(missing, await gatherRuntimeFacts(missing)).blockers).toEqual([`no CUDA toolkit found (tried --toolkit ${path.join(root, "nope")}): pass --toolkit <dir>`]);

    const extra = path.join(root, "cuda-extra");
    fakeToolkit(extra, { libraries: [...CUDA13_LINUX.slice(0, 2), { file: "libnvblas.so.13", name: "libnvblas.so.13" }, { ...CUDA13_LINUX[2]!, needs: ["libcublasLt.so.13", "libnvblas.so.13"] }] });
    const extraOptions = { accel: "cuda13", ...linux, toolkit: extra };
    expect(planRuntimePack(extraOptions, await gatherRuntimeFacts(extraOptions)).blockers).toEqual([
      "libnvblas.so.13 (needed by libcublas.so.13) is in the toolkit but not redistributable under cuda13-runtime's profile (libcudart.so.13, libcublas.so.13, libcublasLt.so.13)",
    ]);

    const old = path.join(root, "cuda-12");
    fakeToolkit(old, { libraries: CUDA13_LINUX, cudartVersion: "12.4.127" });
    const oldOptions = { accel: "cuda13", ...linux, toolkit: old };
    expect(planRuntimePack(oldOptions, await gatherRuntimeFacts(oldOptions)).blockers).toEqual(["the toolkit is cuda 12.4.127 (version.json cuda_cudart.version), not 13.x as cuda13-runtime needs"]);

    const bare = path.join(root, "cuda-bare");
    fakeToolkit(bare, { windows: true, libraries: CUDA13_WINDOWS, cudartVersion: null });
    const bareOptions = { accel: "cuda13", ...windows, toolkit: bare };
    expect(planRuntimePack(bareOptions, await gatherRuntimeFacts(bareOptions)).blockers).toEqual(["cannot read the toolkit's version (tried version.json cuda_cudart.version)"]);
  });

  it("reads the version from cudart's real file name when version.json is absent (Linux)", async () => {
    const noJson = path.join(root, "cuda-nojson");
    fakeToolkit(noJson, { libraries: CUDA13_LINUX, cudartVersion: null });
    const options = { accel: "cuda13", ...linux, toolkit: noJson };
    expect(planRuntimePack(options, await gatherRuntimeFacts(options)).version).toBe("13.0.88");
  });
});

describe("where the toolkit is found without --toolkit", () => {
  // The places of TOOLKIT_PLACES.cuda, with a temporary folder standing for /usr/local/cuda.
  const places = (roots: string[]) => ({ cuda: { env: ["CUDA_PATH", "CUDA_HOME"], roots, compiler: "nvcc" }, rocm: { env: [], roots: [], compiler: "hipcc" } });
  const found = async (env: NodeJS.ProcessEnv, roots: string[]) => (await gatherRuntimeFacts({ accel: "cuda13", ...linux }, env, places(roots))).toolkit;
  const kitA = path.join(root, "kit-a");
  const kitB = path.join(root, "kit-b");
  const usrLocalCuda = path.join(root, "usr-local-cuda");
  beforeAll(() => {
    for (const kit of [kitA, kitB, usrLocalCuda]) fakeToolkit(kit, { libraries: CUDA13_LINUX.slice(0, 1) });
    // An nvcc whose real path lies in a toolkit's bin/, reached through a link in another bin folder.
    mkdirSync(path.join(kitB, "bin"));
    writeFileSync(path.join(kitB, "bin", "nvcc"), "#!/bin/sh\n", { mode: 0o755 });
    mkdirSync(path.join(root, "usr-bin"));
    symlinkSync(path.join(kitB, "bin", "nvcc"), path.join(root, "usr-bin", "nvcc"));
  });

  it("$CUDA_PATH, then $CUDA_HOME, then /usr/local/cuda, then the folder above nvcc's real path", async () => {
    const PATH = path.join(root, "usr-bin");
    expect(await found({ CUDA_PATH: kitA, CUDA_HOME: kitB, PATH }, [usrLocalCuda])).toEqual({ root: kitA, from: "$CUDA_PATH" });
    expect(await found({ CUDA_HOME: kitB, PATH }, [usrLocalCuda])).toEqual({ root: kitB, from: "$CUDA_HOME" });
    expect(await found({ PATH }, [usrLocalCuda])).toEqual({ root: usrLocalCuda, from: usrLocalCuda });
    expect(await found({ CUDA_PATH: path.join(root, "gone"), PATH }, [path.join(root, "no-cuda")])).toEqual({ root: kitB, from: `the real path of ${path.join(PATH, "nvcc")}` });
    expect(await found({ PATH: path.join(root, "empty") }, [path.join(root, "no-cuda")])).toEqual({ root: null, tried: ["$CUDA_PATH", "$CUDA_HOME", path.join(root, "no-cuda"), "nvcc on PATH"] });
  });

  it("a wrapper nvcc in a bin folder without a toolkit beside it loses to /usr/local/cuda", async () => {
    const wrapperBin = path.join(root, "wrapper-bin");
    mkdirSync(wrapperBin);
    writeFileSync(path.join(wrapperBin, "nvcc"), `#!/bin/sh\nexec ${kitB}/bin/nvcc "$@"\n`, { mode: 0o755 });
    const facts = await gatherRuntimeFacts({ accel: "cuda13", ...linux }, { PATH: wrapperBin }, places([usrLocalCuda]));
    expect(facts.toolkit).toEqual({ root: usrLocalCuda, from: usrLocalCuda });
    expect(facts.libraries.map((l) => [l.name, l.realPath])).toContainEqual(["libcudart.so.13", path.join(usrLocalCuda, "lib64", "libcudart.so.13.0.88")]);
  });
});

describe("refusals name the library that links each missing file", () => {
  it("a toolkit without cuBLAS: libcublas.so.13 is linked by ggml-cuda's module, not by 'seed'", async () => {
    const kit = path.join(root, "cuda-no-cublas");
    fakeToolkit(kit, { libraries: CUDA13_LINUX.slice(0, 1) });
    const options = { accel: "cuda13", ...linux, toolkit: kit };
    const plan = planRuntimePack(options, await gatherRuntimeFacts(options));
    expect(plan.blockers).toEqual([`libcublas.so.13 (linked by libggml-cuda.so) is not in ${kit}'s lib64, lib, targets/x86_64-linux/lib, targets/sbsa-linux/lib`]);
    expect(plan.system).toEqual(["libc.so.6"]);
  });

  it("a toolkit whose cuBLAS lacks cuBLASLt: libcublasLt.so.13 is linked by libcublas.so.13 (it was left to the system before)", async () => {
    const kit = path.join(root, "cuda-no-cublaslt");
    const cublas = { ...CUDA13_LINUX[2]!, needs: ["libcublasLt.so.13"] };
    fakeToolkit(kit, { libraries: [CUDA13_LINUX[0]!, CUDA13_LINUX[1]!, cublas] });
    rmSync(path.join(kit, "lib64", "libcublasLt.so.13"));
    const options = { accel: "cuda13", ...linux, toolkit: kit };
    const plan = planRuntimePack(options, await gatherRuntimeFacts(options));
    expect(plan.blockers).toEqual([`libcublasLt.so.13 (linked by libcublas.so.13) is not in ${kit}'s lib64, lib, targets/x86_64-linux/lib, targets/sbsa-linux/lib`]);
    expect(plan.system).not.toContain("libcublasLt.so.13");
  });
});

describe("packRuntime", () => {
  it("writes a verified, reproducible .bairuntime with its .sha256; libraries byte for byte", async () => {
    const out = path.join(root, "packs");
    const options = { accel: "cuda13", ...linux, toolkit: linuxToolkit, out, sourceDateEpoch: 1_700_000_000 };
    const first = await packRuntime(options);
    expect(path.basename(first.file)).toBe("cuda13-runtime-13.0.88-linux-x86_64.bairuntime");
    expect(readFileSync(`${first.file}.sha256`, "utf8")).toBe(`${first.sha256}  cuda13-runtime-13.0.88-linux-x86_64.bairuntime\n`);
    const report = await verifyPackage(first.file);
    expect(report.findings.filter((f) => f.severity !== "info")).toEqual([]);
    expect(report.runtimeManifest?.provides).toEqual(["libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13"]);

    const extracted = path.join(root, "extracted");
    await execa("mkdir", ["-p", extracted]);
    await execa("tar", ["xzf", first.file, "-C", extracted]);
    expect(sha(path.join(extracted, "package/libs/libcublas.so.13"))).toBe(sha(path.join(linuxToolkit, "lib64/libcublas.so.13.0.2.14")));
    expect(readFileSync(path.join(extracted, "package/licenses/NVIDIA-CUDA-EULA.txt"), "utf8")).toContain("End User License Agreement");

    rmSync(first.file);
    const second = await packRuntime(options);
    expect(second.sha256).toBe(first.sha256);
    expect(existsSync(path.join(out, ".cuda13-runtime-13.0.88-linux-x86_64.bairuntime.partial"))).toBe(false);
  });

  it("refuses with RuntimePackRefusedError and writes nothing when the plan has a blocker", async () => {
    const out = path.join(root, "refused");
    await expect(packRuntime({ accel: "cuda13", ...linux, toolkit: path.join(root, "nope"), out })).rejects.toThrow(RuntimePackRefusedError);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});
