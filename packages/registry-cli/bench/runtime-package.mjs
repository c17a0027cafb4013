// The runtime pack of the install benchmark: a >= 400 MB `cuda13-runtime` .bairuntime laid
// out as the Linux CUDA runtime is (libs/libcudart.so.13, libcublas.so.13, libcublasLt.so.13, with
// those sonames), the size of the live registry's CUDA runtime packs (401-404 MB). libcudart is the
// installed toolkit's when there is one; the two BLAS libraries are gcc-built stand-ins whose fat
// sections are real code: node-llama-cpp's CUDA build (libggml-cuda.so, mostly CUDA fatbins, which
// compress about 1.2:1 as cuBLAS's do), then the toolkit's and the system's libraries. Written with
// the packer's reproducible archive writer; cached under `cache` until the size changes.
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { copyFile, mkdir, rm, stat, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { stagingEntries, writeReproducibleArchive } from "@baiengine/packer";
import { fetchNodeLlamaCpp, NODE_LLAMA_CPP_BUILDS } from "../../../scripts/fetch-node-llama-cpp.mjs";
import { benchIndex, cachedPackage, elfLibraries, makeLibrary } from "./install-kit.mjs";

const RUNTIME = "cuda13-runtime";
const VERSION = "13.0.88";
const PROVIDES = ["libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13"];
const CUDART = ["/usr/local/cuda/lib64/libcudart.so.13", "/usr/local/cuda/lib/libcudart.so.13"];

/** gzip -6's ratio on eight 512 KiB samples spread over a file: how much of it a package's size takes. */
function ratioOf(file, size) {
  const piece = Math.min(size, 512 << 10);
  const fd = openSync(file, "r");
  let raw = 0;
  let packed = 0;
  try {
    for (let k = 0; k < 8; k++) {
      const sample = Buffer.alloc(piece);
      readSync(fd, sample, 0, piece, Math.floor(((size - piece) * k) / 7));
      raw += piece;
      packed += deflateSync(sample, { level: 6 }).length;
    }
  } finally {
    closeSync(fd);
  }
  return raw / packed;
}

/** CUDA code first (node-llama-cpp's build when it can be fetched, then the toolkit's), then the system's. */
function codeSources() {
  let cuda = [];
  try {
    const dir = fetchNodeLlamaCpp(NODE_LLAMA_CPP_BUILDS.linuxCuda);
    cuda = elfLibraries([dir]);
  } catch (error) {
    process.stderr.write(`runtime bench: node-llama-cpp's CUDA build is not at hand (${error.message.split("\n")[0]}); using this machine's libraries only\n`);
  }
  const seen = new Set(cuda.map((s) => s.f));
  const rest = elfLibraries(["/usr/local/cuda/lib64", "/usr/lib"]).filter((s) => !seen.has(s.f));
  return [...cuda, ...rest].map((s) => ({ ...s, ratio: ratioOf(s.f, s.size) }));
}

/** Sources from `first` on (cycling) until their estimated compressed size reaches `mb`; their total size in MB. */
function take(sources, first, mb) {
  const picked = [];
  let compressed = 0;
  for (let i = first; compressed < mb * 2 ** 20; i++) {
    const s = sources[i % sources.length];
    picked.push(s);
    compressed += s.size / s.ratio;
  }
  return { picked, megabytes: picked.reduce((n, s) => n + s.size, 0) / 2 ** 20 };
}

/** Stages the pack's folder under `work` with BLAS libraries of `compressedMb` (estimated), then writes `file`; returns its size. */
async function build(work, file, sources, compressedMb) {
  const libs = join(work, "package", "libs");
  await rm(work, { recursive: true, force: true });
  await mkdir(libs, { recursive: true });
  const cudart = CUDART.find(existsSync);
  if (cudart) await copyFile(cudart, join(libs, PROVIDES[0]));
  else await makeLibrary(libs, PROVIDES[0], sources, sources.length - 1, 1, PROVIDES[0]);
  // cuBLASLt is most of a CUDA runtime.
  const lt = take(sources, 0, compressedMb * 0.75);
  const blas = take(sources, lt.picked.length, compressedMb * 0.25);
  await makeLibrary(libs, PROVIDES[2], lt.picked, 0, lt.megabytes, PROVIDES[2]);
  await makeLibrary(libs, PROVIDES[1], blas.picked, 0, blas.megabytes, PROVIDES[1]);
  const manifest = { runtimeId: RUNTIME, version: VERSION, os: "linux", arch: "x86_64", accelerator: "cuda", provides: PROVIDES, libraryDir: "libs" };
  await writeFile(join(work, "package", "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeReproducibleArchive(await stagingEntries(join(work, "package")), file, { mtime: new Date(0), level: 6, concurrency: availableParallelism() });
  await rm(work, { recursive: true, force: true });
  return (await stat(file)).size;
}

/** Makes (once) the pack under `{cache}/{tag}/`; returns its file, the engines.json for a registry at `baseUrl`, and the install arguments. */
export async function runtimePackage(cache, targetMb) {
  const filename = `${RUNTIME}-${VERSION}-linux-x86_64.bairuntime`;
  const tag = `${RUNTIME}-v${VERSION}`;
  const file = await cachedPackage(cache, tag, filename, targetMb, async (out) => {
    const sources = codeSources();
    if (sources.length === 0) throw new Error("no ELF libraries found under /usr/lib");
    // Aim 5% over the target; sampled ratios can be off, so one more try scales by what came out.
    const aim = targetMb * 1.05;
    const size = await build(join(cache, "work"), out, sources, aim);
    return size >= targetMb * 1e6 ? size : build(join(cache, "work"), out, sources, (aim * aim * 1e6) / size);
  });
  const runtime = { id: RUNTIME, name: "CUDA 13 runtime", description: "bench", latestVersion: VERSION };
  return {
    file,
    url: (baseUrl) => `${baseUrl}/${tag}/${filename}`,
    registry: (baseUrl, size, sha256) => benchIndex(baseUrl, { runtimes: [{ ...runtime, packages: [{ os: "linux", arch: "x86_64", filename, size, sha256 }] }] }),
    installArgs: (registry, out) => ["install", "--registry", registry, "--runtime", RUNTIME, "--os", "linux", "--arch", "x86_64", "--engines-dir", out, "--json"],
  };
}
