import { existsSync, readdirSync, realpathSync } from "node:fs";
import path from "node:path";
import { type BinaryInfo, readBinaryFile } from "@baiengine/verifier";
// The errors subpath keeps commander and cli-progress out of library imports.
import { FailureError } from "@baiengine/cli-kit/errors";
import type { CollectPlan } from "../plan/plan-types.js";

export interface CollectedFile {
  /** Real file (symlinks resolved) in the build tree or the toolchain. */
  from: string;
  /** Path under package/. */
  to: string;
  kind: "server" | "library" | "module" | "runtime";
  info: BinaryInfo;
}

export interface Closure {
  files: CollectedFile[];
  /** Imports found neither in the build tree nor in the toolchain: left to the system (and the verifier's allow-list). */
  system: string[];
}

/** A folder's file names, looked up exactly or (Windows) case-insensitively. */
function folderIndex(dir: string, caseInsensitive: boolean): Map<string, string> {
  const index = new Map<string, string>();
  if (!existsSync(dir)) return index;
  for (const name of readdirSync(dir)) index.set(caseInsensitive ? name.toLowerCase() : name, path.join(dir, name));
  return index;
}

/**
 * The server binary, the run-time modules beside it, and the closure of the libraries they import,
 * found by reading DT_NEEDED / LC_LOAD_DYLIB / PE imports (never by globbing for libraries). Each
 * library is copied under the name it is imported by (its SONAME), as a real file.
 */
export async function collectClosure(plan: CollectPlan): Promise<Closure> {
  const server = plan.serverBinary.from;
  if (!existsSync(server)) throw new FailureError(`the build did not produce ${server}`, "check the build log: the profile's cmakeTarget and binaryDir must match the build");
  const windows = server.toLowerCase().endsWith(".exe");
  const key = (name: string) => (windows ? name.toLowerCase() : name);
  const built = folderIndex(plan.binaryDir, windows);
  const runtime = plan.runtimeLibDirs.map((d) => folderIndex(d, windows));

  const files: CollectedFile[] = [];
  const system = new Set<string>();
  const seen = new Set<string>();
  const queue: { from: string; to: string; kind: CollectedFile["kind"] }[] = [{ from: server, to: plan.serverBinary.to, kind: "server" }];

  if (plan.modules) {
    const m = plan.modules;
    const excluded = new Set(m.exclude.map((e) => `${m.prefix}${e}${m.extension}`));
    const names = existsSync(m.dir) ? readdirSync(m.dir).sort() : [];
    for (const name of names) {
      if (!name.startsWith(m.prefix) || !name.endsWith(m.extension) || excluded.has(name)) continue;
      queue.push({ from: path.join(m.dir, name), to: path.posix.join(m.to, name), kind: "module" });
      seen.add(key(name));
    }
  }
  seen.add(key(path.basename(server)));

  while (queue.length > 0) {
    const item = queue.shift()!;
    const real = realpathSync(item.from);
    const info = await readBinaryFile(real);
    if (info === null) throw new FailureError(`${item.from} is not a native binary`, "the profile's server binary and modules must be executables or shared libraries");
    files.push({ from: real, to: item.to, kind: item.kind, info });
    for (const needed of info.needed) {
      const k = key(needed);
      if (seen.has(k)) continue;
      seen.add(k);
      const inBuild = built.get(k);
      if (inBuild) {
        queue.push({ from: inBuild, to: plan.libraryDir ? `${plan.libraryDir}/${needed}` : needed, kind: "library" });
        continue;
      }
      const inToolchain = runtime.map((r) => r.get(k)).find((p) => p !== undefined);
      if (inToolchain) {
        queue.push({ from: inToolchain, to: needed, kind: "runtime" });
        continue;
      }
      system.add(needed);
    }
  }
  return { files, system: [...system].sort() };
}
