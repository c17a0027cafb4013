import { runtimeVersionSatisfies } from "@baiengine/schema";
import type { EnginesFolder, InstalledEngine, InstalledStore, StrayFolder } from "./engines-folder.js";

/**
 * Which runtime store an installed engine uses, counted from the file system rather than guessed:
 * install hard-links a store's libraries into the engine, so an engine file with the same inode as
 * a store file links that store. Where the install had to copy (a file system without hard links),
 * the inodes differ: then every installed version of the runtime the manifest names that serves its
 * `minVersion` on its platform counts as used by it, so a runtime in use is never removed.
 */
export interface RuntimeLink {
  runtimeId: string;
  /** The store folders it uses: one when hard-linked; every serving one when copied. */
  stores: string[];
  /** `linked`: shares inodes with the store; `copied`: the manifest names the runtime but no file is shared. */
  how: "linked" | "copied";
  /** The version it links (hard links), or null when copied. */
  version: string | null;
}

/** Inode → store folder, over every store's files. */
export function storeInodes(stores: readonly InstalledStore[]): Map<string, InstalledStore> {
  const map = new Map<string, InstalledStore>();
  for (const store of stores) for (const f of store.files) map.set(f.inode, store);
  return map;
}

/** The runtime an installed engine (or a stray folder holding one) uses; null when its manifest names none. */
export function runtimeLinkOf(engine: Pick<InstalledEngine, "files"> & { manifest?: InstalledEngine["manifest"] }, stores: readonly InstalledStore[], inodes = storeInodes(stores)): RuntimeLink | null {
  const linked = new Set<InstalledStore>();
  for (const f of engine.files) {
    const store = inodes.get(f.inode);
    if (store) linked.add(store);
  }
  if (linked.size > 0) {
    const [first] = [...linked];
    return { runtimeId: first!.runtimeId, stores: [...linked].map((s) => s.dir), how: "linked", version: linked.size === 1 ? first!.version : null };
  }
  const need = engine.manifest?.runtime;
  if (!need) return null;
  const platform = `${engine.manifest!.os}-${engine.manifest!.arch}`;
  const serving = stores.filter((s) => s.runtimeId === need.id && s.platform === platform && runtimeVersionSatisfies(s.version, need.minVersion));
  return { runtimeId: need.id, stores: serving.map((s) => s.dir), how: "copied", version: null };
}

/**
 * The stores that are still used once `removed` folders are gone: a store is used while any of its
 * files has a hard link outside itself and outside the removed folders (an installed engine, an
 * install in progress, a folder moved aside), or a kept engine copied from it.
 */
export function storesInUse(folder: EnginesFolder, removed: ReadonlySet<string>): Set<string> {
  const used = new Set<string>();
  const removedInodes = new Map<string, number>();
  const gone = [...folder.engines, ...folder.strays].filter((x) => removed.has(x.dir));
  for (const x of gone) for (const f of x.files) removedInodes.set(f.inode, (removedInodes.get(f.inode) ?? 0) + 1);
  for (const store of folder.runtimes) {
    if (removed.has(store.dir)) continue;
    const own = new Map<string, number>();
    for (const f of store.files) own.set(f.inode, (own.get(f.inode) ?? 0) + 1);
    const linkedElsewhere = store.files.some((f) => f.links - own.get(f.inode)! - (removedInodes.get(f.inode) ?? 0) > 0);
    if (linkedElsewhere) used.add(store.dir);
  }
  const inodes = storeInodes(folder.runtimes);
  const kept: (InstalledEngine | StrayFolder)[] = [...folder.engines, ...folder.strays].filter((x) => !removed.has(x.dir));
  for (const engine of folder.engines.filter((e) => kept.includes(e))) {
    const link = runtimeLinkOf(engine, folder.runtimes, inodes);
    if (link?.how === "copied") for (const dir of link.stores) used.add(dir);
  }
  return used;
}
