import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { SourceError } from "../errors.js";
import { unpackArchiveOnce } from "./unpack-source.js";

/**
 * Fetches the npm package `spec` (`nodejs-whisper@0.3.1`: npm checks the registry's integrity hash)
 * with `npm pack` and unpacks it into `folder` once, with the same safe unpacker as `--source
 * <.tar.gz>` (no entry outside the folder); the tarball itself is not kept. One line saying to pass
 * --source when npm cannot fetch it.
 */
export async function fetchNpmSource(spec: string, folder: string, signal?: AbortSignal): Promise<void> {
  await mkdir(path.dirname(folder), { recursive: true });
  const work = await mkdtemp(`${folder}.download-`);
  try {
    const r = await execa("npm", ["pack", spec, "--pack-destination", work, "--silent"], { reject: false, stdin: "ignore", ...(signal ? { cancelSignal: signal } : {}) });
    const tgz = (await readdir(work)).find((f) => f.endsWith(".tgz"));
    if (r.exitCode !== 0 || !tgz) {
      const why = r.stderr.split("\n").find((l) => l.trim()) ?? r.shortMessage;
      throw new SourceError(`cannot fetch ${spec} with npm pack: ${why}`, "pass --source <dir or .tar.gz> with the engine's source (no network is needed then)");
    }
    await unpackArchiveOnce(path.join(work, tgz), folder);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
