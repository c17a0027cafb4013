import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { BinaryFormatError, readBinaryFile } from "@baiengine/verifier";
import { requireHostPlatform } from "@baiengine/cli-kit/system";
import type { RuntimePlatform, RuntimeProfile, VersionSource } from "@baiengine/profiles";
import { findStandInToolkit, findSystemToolkit, TOOLKIT_PLACES, type ToolkitPlaces } from "./find-toolkit.js";
import { resolveRuntimeTarget } from "./runtime-target.js";
import type { RuntimeFacts, RuntimePackOptions, ToolkitLibrary } from "./runtime-types.js";

/** Library folder files by (case-folded on Windows) name; earlier folders win. */
function libraryIndex(root: string, platform: RuntimePlatform): Map<string, string> {
  const index = new Map<string, string>();
  for (const dir of platform.libraryDirs) {
    const full = path.join(root, dir);
    if (!existsSync(full) || !statSync(full).isDirectory()) continue;
    for (const name of readdirSync(full).sort()) {
      const key = platform.os === "windows" ? name.toLowerCase() : name;
      if (!index.has(key)) index.set(key, path.join(full, name));
    }
  }
  return index;
}

/** Every native binary under `dir` (folders walked to 4 levels) and the names it links. */
async function engineLinks(dirs: string[]): Promise<{ name: string; by: string }[]> {
  const links: { name: string; by: string }[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && depth < 4) await walk(full, depth + 1);
      if (!entry.isFile()) continue;
      try {
        const info = await readBinaryFile(full);
        for (const name of info?.needed ?? []) links.push({ name, by: full });
      } catch (error) {
        if (!(error instanceof BinaryFormatError)) throw error;
      }
    }
  };
  for (const dir of dirs) await walk(dir, 0);
  return links;
}

function readVersion(root: string, source: VersionSource, index: Map<string, string>): { source: string; value: string | null } {
  const label = "json" in source ? `${source.json} ${source.path.join(".")}` : "text" in source ? source.text : `the real file name of ${source.realNameOf}`;
  try {
    if ("json" in source) {
      let value: unknown = JSON.parse(readFileSync(path.join(root, source.json), "utf8"));
      for (const key of source.path) value = (value as Record<string, unknown> | undefined)?.[key];
      return { source: label, value: typeof value === "string" ? value : null };
    }
    if ("text" in source) {
      const m = new RegExp(source.pattern, "m").exec(readFileSync(path.join(root, source.text), "utf8"));
      return { source: label, value: m?.[1] ?? null };
    }
    const file = index.get(source.realNameOf);
    const m = file ? new RegExp(source.pattern).exec(path.basename(realpathSync(file))) : null;
    return { source: label, value: m?.[1] ?? null };
  } catch {
    // A missing or unreadable file is a source that gave nothing; the plan says which were tried.
    return { source: label, value: null };
  }
}

/** The closure of `seeds` inside the toolkit: each name's file, and what it links in turn (BFS, each name once). */
async function toolkitClosure(seeds: { name: string; by: string }[], index: Map<string, string>, fold: (n: string) => string): Promise<ToolkitLibrary[]> {
  const seen = new Set<string>();
  const libraries: ToolkitLibrary[] = [];
  const queue = seeds.filter((s) => !seen.has(fold(s.name)) && seen.add(fold(s.name)));
  while (queue.length > 0) {
    const { name, by } = queue.shift()!;
    const file = index.get(fold(name)) ?? null;
    const realPath = file ? realpathSync(file) : null;
    const needed = realPath ? ((await readBinaryFile(realPath))?.needed ?? []) : [];
    libraries.push({ name, neededBy: by, path: file, realPath, needed });
    for (const n of needed) {
      if (!seen.has(fold(n))) {
        seen.add(fold(n));
        queue.push({ name: n, by: name });
      }
    }
  }
  return libraries;
}

/**
 * Reads what planRuntimePack needs from this machine: the toolkit root, the closure of the libraries
 * the engine links (its binaries with `from`, else the profile's seeds) inside the toolkit's library
 * folders, read with the verifier's ELF/PE readers, the version sources, licence files and data folders.
 * The toolkit is `--toolkit`, else found in `places` (TOOLKIT_PLACES); a stand-in runtime's is its
 * engine's build folder.
 */
export async function gatherRuntimeFacts(options: RuntimePackOptions, env: NodeJS.ProcessEnv = process.env, places: Record<RuntimeProfile["accelerator"], ToolkitPlaces> = TOOLKIT_PLACES): Promise<RuntimeFacts> {
  const target = resolveRuntimeTarget(options);
  const { platform, profile } = target;
  const fold = (n: string) => (platform.os === "windows" ? n.toLowerCase() : n);
  const toolkit = profile.engine !== undefined ? await findStandInToolkit(profile.engine, options, env) : findSystemToolkit(options, places[profile.accelerator], env);
  const epoch = env["SOURCE_DATE_EPOCH"] !== undefined ? Number(env["SOURCE_DATE_EPOCH"]) : null;
  const links = options.from ? await engineLinks(options.from) : null;
  const base = { host: requireHostPlatform("pass --os and --arch to pack a runtime for a supported platform"), toolkit, engineLinks: links, sourceDateEpoch: Number.isFinite(epoch) ? epoch : null };
  if (toolkit.root === null) return { ...base, libraries: [], versions: [], licenses: [], dataDirs: [], newestMtime: null };
  const root = toolkit.root;

  const index = libraryIndex(root, platform);
  // An engine link the profile provides is a seed even when the toolkit lacks it: the plan then refuses.
  const ours = new Set(platform.redistributable.map(fold));
  const seeds = links ? links.filter((l) => index.has(fold(l.name)) || ours.has(fold(l.name))) : platform.seeds.map((name) => ({ name, by: platform.seedsLinkedBy }));
  const libraries = await toolkitClosure(seeds, index, fold);
  const licenses = platform.licenses.map((l) => ({ to: l.to, tried: l.from, from: l.from.map((f) => path.join(root, f)).find((f) => existsSync(f)) ?? null }));
  const dataDirs = platform.dataDirs.map((dir) => ({
    dir,
    path: platform.libraryDirs.map((d) => path.join(root, d, dir)).find((p) => existsSync(p) && statSync(p).isDirectory()) ?? null,
  }));
  const files = [...libraries.map((l) => l.realPath), ...licenses.map((l) => l.from)].filter((f): f is string => f !== null);
  const newestMtime = files.length > 0 ? Math.max(...files.map((f) => Math.floor(statSync(f).mtimeMs / 1000))) : null;
  return { ...base, libraries, versions: platform.version.map((v) => readVersion(root, v, index)), licenses, dataDirs, newestMtime };
}
