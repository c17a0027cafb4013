// The engine package of the install benchmark: a >= 200 MB cpu `hello` package whose
// llama-server is /bin/true and whose three libraries carry fat sections made of this machine's real
// ELF libraries (/usr/lib, CUDA's when installed), so it compresses like a real engine (not zeros).
// Written with the packer's reproducible archive writer; cached under `cache` until the size changes.
import { execFileSync } from "node:child_process";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { stagingEntries, writeReproducibleArchive } from "@baiengine/packer";
import { benchIndex, cachedPackage, elfLibraries, makeLibrary } from "./install-kit.mjs";

const VERSION = "0.5.0";

/**
 * Makes (once) the package under `{cache}/{tag}/`; returns its file, the engines.json entries for a
 * registry at `baseUrl`, and the install arguments. A cpu package: the device probe does not apply.
 */
export async function enginePackage(cache, targetMb) {
  const filename = `hello-${VERSION}-linux-x86_64-cpu.baiengine`;
  const tag = `hello-v${VERSION}`;
  const file = await cachedPackage(cache, tag, filename, targetMb, async (out) => {
    const work = join(cache, "work");
    await mkdir(join(work, "package", "libs"), { recursive: true });
    const sources = elfLibraries(["/usr/lib", "/usr/local/cuda/lib64"]);
    if (sources.length === 0) throw new Error("no ELF libraries found under /usr/lib");
    // Real libraries compress about 3:1 with gzip -6: aim the uncompressed size at 3.4x the target.
    const perLibraryMb = Math.ceil((targetMb * 3.4) / 3);
    for (const n of [0, 1, 2]) await makeLibrary(join(work, "package", "libs"), `libggml-bench-${n}.so`, sources, n * 7, perLibraryMb);
    execFileSync("cp", ["/bin/true", join(work, "package", "llama-server")]);
    const manifest = { engineId: "hello", version: VERSION, accelerator: "cpu", acceleratorVersion: null, os: "linux", arch: "x86_64", serverBinary: "llama-server", modelFormats: ["gguf"], minAppVersion: "0.11.0" };
    await writeFile(join(work, "package", "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    await writeReproducibleArchive(await stagingEntries(join(work, "package")), out, { mtime: new Date(0), level: 6, concurrency: availableParallelism() });
    await rm(work, { recursive: true, force: true });
    return (await stat(out)).size;
  });
  const entry = { os: "linux", arch: "x86_64", accelerator: "cpu", acceleratorVersion: null, filename };
  return {
    file,
    url: (baseUrl) => `${baseUrl}/${tag}/${filename}`,
    registry: (baseUrl, size, sha256) =>
      benchIndex(baseUrl, { engines: [{ id: "hello", name: "Hello", description: "bench", latestVersion: VERSION, modelFormats: ["gguf"], packages: [{ ...entry, size, sha256 }] }] }),
    installArgs: (registry, out) => ["install", "--registry", registry, "--engine", "hello", "--os", "linux", "--arch", "x86_64", "--accel", "cpu", "--engines-dir", out, "--json"],
  };
}
