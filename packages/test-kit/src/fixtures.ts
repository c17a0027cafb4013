/**
 * The runtime manifest of NVIDIA's CUDA 13 runtime pack for linux-x86_64, as `pack-runtime --accel
 * cuda13` writes it (the runtime profile in @baiengine/profiles): the fixture every suite starts from.
 * A fresh copy each call, so a test may change it.
 */
export function cuda13RuntimeManifest() {
  return {
    runtimeId: "cuda13-runtime",
    version: "13.0.88",
    os: "linux" as const,
    arch: "x86_64" as const,
    accelerator: "cuda" as const,
    provides: ["libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13"],
    libraryDir: "libs",
    licenses: ["licenses/NVIDIA-CUDA-EULA.txt"],
  };
}
