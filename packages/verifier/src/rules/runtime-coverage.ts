import type { Manifest, RuntimeManifest } from "@baiengine/schema";
import { errorFinding, type Finding } from "../findings.js";
import type { RuntimeLink } from "../libraries/check.js";
import { profileRuntimeLookup, type RuntimeLookup } from "./runtime-edges.js";

/** How a runtime pack is named in messages: `runtime pack cuda13-runtime 13.0.88 (linux-x86_64)`. */
export function runtimeLabel(runtime: Pick<RuntimeManifest, "runtimeId" | "version" | "os" | "arch">): string {
  return `runtime pack ${runtime.runtimeId} ${runtime.version} (${runtime.os}-${runtime.arch})`;
}

/**
 * Whether a runtime pack serves an engine package: it is the runtime the engine's manifest names,
 * for its platform, and it provides every library of that runtime the engine's binaries link
 * (`runtimeLinks`, from checkLibraries). A pack packed from a toolkit without cuBLAS, or with
 * `--from` another engine's binaries, lacks what this engine's backend links: the engine would
 * load no GPU backend on a machine with only the driver. Pure; findings are errors.
 */
export function checkRuntimeCoverage(
  engine: Pick<Manifest, "os" | "arch" | "runtime">,
  runtimeLinks: RuntimeLink[],
  runtime: RuntimeManifest,
  lookup: RuntimeLookup = profileRuntimeLookup,
): Finding[] {
  const label = runtimeLabel(runtime);
  if (!engine.runtime) return [errorFinding("RUNTIME_NOT_NEEDED", `the package names no runtime, so ${label} serves nothing`, "package/manifest.json")];
  if (engine.runtime.id !== runtime.runtimeId || engine.os !== runtime.os || engine.arch !== runtime.arch) {
    return [errorFinding("RUNTIME_MISMATCH", `the package needs runtime ${engine.runtime.id} for ${engine.os}-${engine.arch}, not ${label}`, "package/manifest.json")];
  }
  return lackingRuntimeLibraries(engine, runtimeLinks, runtime, lookup).map((link) =>
    errorFinding(
      "RUNTIME_LACKS_LIBRARY",
      `${link.name} (linked by ${link.by.join(", ")}) is not in ${label}, which provides ${runtime.provides.join(", ")}: pack the runtime again from a toolkit that has it (pack-runtime --from <the engine's folder> packs what it links)`,
      `package/${link.by[0]}`,
    ),
  );
}

/** The libraries of `runtime` (by the runtime profiles) that the engine links and the pack does not provide, with who links each. */
export function lackingRuntimeLibraries(engine: Pick<Manifest, "os">, runtimeLinks: RuntimeLink[], runtime: RuntimeManifest, lookup: RuntimeLookup = profileRuntimeLookup): RuntimeLink[] {
  const fold = (n: string) => (runtime.os === "windows" ? n.toLowerCase() : n);
  const provided = new Set(runtime.provides.map(fold));
  return runtimeLinks.filter((link) => lookup.providing(engine.os, link.name)?.id === runtime.runtimeId && !provided.has(fold(link.name)));
}
