import { posix } from "node:path";
import { findEngineProfile } from "@baiengine/profiles";
import type { Manifest } from "@baiengine/schema";
import type { BinaryInfo } from "../binary/binary-info.js";
import { errorFinding, type Finding } from "../findings.js";

/** How an engine's backend modules are named on one OS (its profile's `runtimeModules`). */
export interface BackendModuleNames {
  /** `libggml-` (posix), `ggml-` (Windows). */
  prefix: string;
  /** `.so`, `.dll`. */
  extension: string;
  /** Names after the prefix that are linked libraries, not modules (`base`). */
  exclude: string[];
  /** The CPU backend's name after the prefix (`cpu`; `cpu-<variant>` counts too). */
  cpu: string;
}

/** The backend module names of an engine on an OS, or null when its profile declares no CPU backend module. */
export type BackendModuleLookup = (engineId: string, os: Manifest["os"]) => BackendModuleNames | null;

/** The engine profiles of @baiengine/profiles (data/engines.json) as a lookup. */
export const profileBackendModules: BackendModuleLookup = (engineId, os) => {
  const modules = findEngineProfile(engineId)?.runtimeModules;
  const extension = modules?.extension[os];
  if (!modules?.cpuBackend || !extension) return null;
  return { prefix: modules.prefix[os] ?? modules.prefix.default, extension, exclude: modules.exclude, cpu: modules.cpuBackend };
};

/**
 * ggml's "no CPU backend found": a package whose backends are modules loaded at run time (files
 * named `<prefix><name><extension>` beside the server that no binary of the package links, as a
 * GGML_BACKEND_DL build leaves them) must carry a CPU backend module (`libggml-cpu*.so`), because
 * ggml's registry then loads the CPU backend from those files too and the server cannot start
 * without one (github.com/ggml-org/llama.cpp ggml/src/ggml-backend-reg.cpp). `files` and
 * `binaries` are paths under package/. Pure.
 */
export function checkCpuBackendModule(manifest: Manifest, files: Iterable<string>, binaries: ReadonlyMap<string, BinaryInfo>, names: BackendModuleNames | null): Finding[] {
  if (!names) return [];
  const fold = (n: string) => (manifest.os === "windows" ? n.toLowerCase() : n);
  const dir = posix.dirname(manifest.serverBinary);
  const linked = new Set([...binaries.values()].flatMap((info) => info.needed.map(fold)));
  const modules: { path: string; name: string }[] = [];
  for (const path of files) {
    const base = posix.basename(path);
    if (posix.dirname(path) !== dir || !fold(base).startsWith(fold(names.prefix)) || !fold(base).endsWith(fold(names.extension))) continue;
    const name = base.slice(names.prefix.length, base.length - names.extension.length);
    if (!names.exclude.includes(name)) modules.push({ path, name });
  }
  const loaded = modules.filter((m) => !linked.has(fold(posix.basename(m.path))));
  const isCpu = (name: string) => name === names.cpu || name.startsWith(`${names.cpu}-`);
  if (loaded.length === 0 || loaded.some((m) => isCpu(m.name))) return [];
  const cpuFile = `${names.prefix}${names.cpu}*${names.extension}`;
  const shown = loaded.map((m) => posix.basename(m.path)).join(", ");
  return [
    errorFinding(
      "BACKEND_CPU_MISSING",
      `${shown} ${loaded.length === 1 ? "is a backend module" : "are backend modules"} loaded at run time (no binary links ${loaded.length === 1 ? "it" : "them"}: a GGML_BACKEND_DL build), but the package carries no CPU backend module (${cpuFile}): the server stops with "no CPU backend found"; pack the build's ${cpuFile} modules beside ${posix.basename(manifest.serverBinary)}`,
      `package/${loaded[0]!.path}`,
    ),
  ];
}
