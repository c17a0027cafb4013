import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { run } from "./processes.js";

export const NODE_LLAMA_CPP = "node-llama-cpp@3.22.1";

/** Persistent cache of the e2e suite (survives runs so the llama.cpp build is reused). */
export function e2eCacheDir(): string {
  const base = process.env["XDG_CACHE_HOME"] || path.join(os.homedir(), ".cache");
  return path.join(base, "baiengine", "e2e");
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * A llama.cpp source tree: `$BAIENGINE_LLAMA_SOURCE`, else a clone of the git bundle that
 * node-llama-cpp ships (fetched with `npm pack` once). The clone lives in the persistent cache,
 * keyed by the bundle's hash, because the packer's build cache is keyed by the source folder:
 * a clone into a fresh temporary folder would rebuild llama.cpp from scratch on every run.
 */
export async function llamaSource(): Promise<{ dir: string; from: string }> {
  const given = process.env["BAIENGINE_LLAMA_SOURCE"];
  if (given) return { dir: path.resolve(given), from: "$BAIENGINE_LLAMA_SOURCE" };
  const cache = e2eCacheDir();
  await mkdir(cache, { recursive: true });
  const [name, version] = NODE_LLAMA_CPP.split("@") as [string, string];
  const tgz = path.join(cache, `${name}-${version}.tgz`);
  if (!existsSync(tgz)) await run("npm", ["pack", NODE_LLAMA_CPP, "--pack-destination", cache]);
  const unpacked = path.join(cache, `${name}-${version}`);
  const bundle = path.join(unpacked, "package", "llama", "gitRelease.bundle");
  if (!existsSync(bundle)) {
    await mkdir(unpacked, { recursive: true });
    await run("tar", ["-xzf", tgz, "-C", unpacked, "package/llama/gitRelease.bundle"]);
  }
  const dir = path.join(cache, `llama.cpp-${(await sha256File(bundle)).slice(0, 12)}`);
  if (!existsSync(dir)) {
    const partial = `${dir}.partial`;
    await rm(partial, { recursive: true, force: true });
    await run("git", ["clone", "--quiet", bundle, partial]);
    await rename(partial, dir);
  }
  return { dir, from: `git clone of ${NODE_LLAMA_CPP}'s llama/gitRelease.bundle` };
}
