// Real third-party CUDA builds for the tests that read GPU backends' import tables: node-llama-cpp's
// prebuilt llama.cpp (npm @node-llama-cpp/linux-x64-cuda and win-x64-cuda, both built with CUDA 13).
// `npm pack` fetches the exact version (npm checks the registry's integrity hash); only the files the
// tests read are extracted, into node_modules/.cache/node-llama-cpp/<package>-<version>/, once.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const NODE_LLAMA_CPP_CACHE = join(root, "node_modules", ".cache", "node-llama-cpp");

/** The builds and the files read from each (paths inside the npm tarball, below package/). */
export const NODE_LLAMA_CPP_BUILDS = {
  linuxCuda: {
    name: "@node-llama-cpp/linux-x64-cuda",
    version: "3.22.1",
    // A GGML_BACKEND_DL build: the CUDA backend, ggml-base, and two of its CPU backend modules.
    files: ["bins/linux-x64-cuda/libggml-cuda.so", "bins/linux-x64-cuda/libggml-base.so", "bins/linux-x64-cuda/libggml-cpu-x64.so", "bins/linux-x64-cuda/libggml-cpu-haswell.so"],
  },
  windowsCuda: { name: "@node-llama-cpp/win-x64-cuda", version: "3.21.1", files: ["bins/win-x64-cuda/ggml-cuda.dll"] },
};

/** The folder holding `build`'s extracted files (fetched when missing); throws with the npm error when offline. */
export function fetchNodeLlamaCpp(build) {
  const dir = join(NODE_LLAMA_CPP_CACHE, `${build.name.replace("@", "").replace("/", "-")}-${build.version}`);
  if (build.files.every((f) => existsSync(join(dir, f)))) return dir;
  const work = mkdtempSync(join(tmpdir(), "node-llama-cpp-"));
  try {
    execFileSync("npm", ["pack", `${build.name}@${build.version}`, "--pack-destination", work, "--silent"], { stdio: ["ignore", "ignore", "pipe"] });
    const tgz = readdirSync(work).find((f) => f.endsWith(".tgz"));
    if (!tgz) throw new Error(`npm pack ${build.name}@${build.version} wrote no tarball`);
    execFileSync("tar", ["xzf", join(work, tgz), "-C", work, ...build.files.map((f) => `package/${f}`)]);
    for (const f of build.files) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      renameSync(join(work, "package", f), join(dir, f));
    }
    return dir;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A vitest global setup: fetches both builds once and provides their folders as `nodeLlamaCpp`. */
export function provideNodeLlamaCpp(project) {
  project.provide("nodeLlamaCpp", { linux: fetchNodeLlamaCpp(NODE_LLAMA_CPP_BUILDS.linuxCuda), windows: fetchNodeLlamaCpp(NODE_LLAMA_CPP_BUILDS.windowsCuda) });
}
