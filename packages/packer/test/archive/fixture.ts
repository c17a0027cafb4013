import { spawnSync } from "node:child_process";
import { chmod, mkdir, open, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Real binary bytes (a slice of the running node executable): compressible like the libraries we pack. */
export async function realBinaryBytes(length: number, offset = 0): Promise<Buffer> {
  const handle = await open(process.execPath, "r");
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    if (bytesRead !== length) throw new Error(`${process.execPath} is smaller than ${offset + length} bytes`);
    return buffer;
  } finally {
    await handle.close();
  }
}

export interface StageVariant {
  /** mtime given to every file and folder. */
  mtime: Date;
  /** Mode of plain files and of executables (umask differences). */
  fileMode: number;
  execMode: number;
  /** chown to this uid/gid when running as root. */
  owner?: number;
}

/**
 * A staged package shaped like a llama.cpp one: server binary, versioned library with its
 * SONAME symlink, a backend module, an empty file, a nested folder and a 2.5 MiB library.
 */
export async function stagePackage(dir: string, variant: StageVariant): Promise<string> {
  const root = join(dir, "package");
  await mkdir(join(root, "libs", "nested"), { recursive: true });
  await writeFile(join(root, "llama-server"), await realBinaryBytes(300_000, 1_000_000));
  await writeFile(join(root, "libs", "libggml-base.so.0.5.0"), await realBinaryBytes(2_500_000, 4_000_000));
  await symlink("libggml-base.so.0.5.0", join(root, "libs", "libggml-base.so.0"));
  await writeFile(join(root, "libs", "libggml-cpu-haswell.so"), await realBinaryBytes(150_000, 9_000_000));
  await writeFile(join(root, "libs", "nested", "empty.txt"), "");
  await writeFile(join(root, "manifest.json"), `${JSON.stringify({ id: "llama-cpp", version: "0.5.0" }, null, 2)}\n`);
  await writeFile(join(root, "LICENSE"), "MIT License\n\nCopyright (c) 2023-2026 The ggml authors\n");
  const files = ["manifest.json", "LICENSE", "libs/libggml-base.so.0.5.0", "libs/nested/empty.txt", "libs/libggml-cpu-haswell.so"];
  for (const file of files) await chmod(join(root, file), variant.fileMode);
  await chmod(join(root, "llama-server"), variant.execMode);
  const all = [...files, "llama-server", "libs/nested", "libs", "."];
  for (const path of all) {
    const full = join(root, path);
    if (variant.owner !== undefined && process.getuid?.() === 0) {
      spawnSync("chown", ["-h", `${variant.owner}:${variant.owner}`, full]);
    }
    await utimes(full, variant.mtime, variant.mtime);
  }
  return root;
}

export function run(command: string, args: string[], input?: Buffer): { stdout: Buffer; stderr: string; status: number | null } {
  const result = spawnSync(command, args, { input, maxBuffer: 1 << 30, env: { ...process.env, TZ: "UTC", LC_ALL: "C" } });
  if (result.error) throw new Error(`${command} could not run (${result.error.message}): install it to run these tests`);
  return { stdout: result.stdout, stderr: result.stderr.toString(), status: result.status };
}
