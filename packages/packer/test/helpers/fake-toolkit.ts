import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";

/** One library of a fake toolkit: real file name, link name (soname / DLL name), and what it links. */
export interface FakeLibrary {
  file: string;
  name: string;
  needs?: string[];
}

/** Builds a real shared library (gcc, or mingw-w64 for .dll) exporting one function, linking `needs` from `dir`. */
async function buildLibrary(dir: string, lib: FakeLibrary, windows: boolean): Promise<void> {
  const source = path.join(dir, `${lib.name}.c`);
  const symbol = lib.name.replace(/[^A-Za-z0-9]/g, "_");
  const calls = (lib.needs ?? []).map((n) => n.replace(/[^A-Za-z0-9]/g, "_"));
  // getpid() makes each library link the C library (libc.so.6, msvcrt.dll), as real ones do.
  const body = `#include <unistd.h>\n${calls.map((c) => `int ${c}(void);`).join("\n")}\nint ${symbol}(void) { return (int)getpid()${calls.map((c) => ` + ${c}()`).join("")}; }\n`;
  writeFileSync(source, body);
  const out = path.join(dir, lib.file);
  const args = windows
    ? ["-shared", "-o", out, source, ...(lib.needs ?? []).map((n) => path.join(dir, n))]
    : ["-shared", "-fPIC", `-Wl,-soname,${lib.name}`, "-Wl,-rpath,$ORIGIN", "-o", out, source, ...(lib.needs ?? []).map((n) => path.join(dir, n))];
  await execa(windows ? "x86_64-w64-mingw32-gcc" : "gcc", args);
  if (lib.file !== lib.name) symlinkSync(lib.file, path.join(dir, lib.name));
}

/**
 * A toolkit folder shaped like NVIDIA's (`lib64/` with versioned files and soname links, or
 * `bin/x64/` DLLs), made of real libraries built here, plus EULA.txt and version.json. Libraries
 * are built in order, so a library's `needs` must come earlier.
 */
export async function fakeToolkit(root: string, options: { windows?: boolean; libDir?: string; libraries: FakeLibrary[]; cudartVersion?: string | null }): Promise<string> {
  const windows = options.windows ?? false;
  const libDir = path.join(root, options.libDir ?? (windows ? "bin/x64" : "lib64"));
  mkdirSync(libDir, { recursive: true });
  for (const lib of options.libraries) await buildLibrary(libDir, lib, windows);
  writeFileSync(path.join(root, "EULA.txt"), "End User License Agreement (test toolkit)\n");
  if (options.cudartVersion !== null) writeFileSync(path.join(root, "version.json"), JSON.stringify({ cuda_cudart: { name: "CUDA Runtime (cudart)", version: options.cudartVersion ?? "13.0.88" } }));
  return root;
}

/** NVIDIA's CUDA 13 Linux layout: cudart, cuBLASLt, cuBLAS (which links cuBLASLt). */
export const CUDA13_LINUX: FakeLibrary[] = [
  { file: "libcudart.so.13.0.88", name: "libcudart.so.13" },
  { file: "libcublasLt.so.13.0.2.14", name: "libcublasLt.so.13" },
  { file: "libcublas.so.13.0.2.14", name: "libcublas.so.13", needs: ["libcublasLt.so.13"] },
];

/** The same for Windows (bin/x64, CUDA 13's DLL folder). */
export const CUDA13_WINDOWS: FakeLibrary[] = [
  { file: "cudart64_13.dll", name: "cudart64_13.dll" },
  { file: "cublasLt64_13.dll", name: "cublasLt64_13.dll" },
  { file: "cublas64_13.dll", name: "cublas64_13.dll", needs: ["cublasLt64_13.dll"] },
];
