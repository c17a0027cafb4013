import type { PackFacts, SourceFacts } from "../../src/plan/facts.js";

/** Every tool the profiles probe, installed at /usr/bin (tests remove some to see refusals). */
export const ALL_TOOLS = [
  "cmake",
  "ninja",
  "git",
  "nvcc",
  "hipcc",
  "glslc",
  "xcrun",
  "strip",
  "aarch64-linux-gnu-gcc",
  "aarch64-linux-gnu-g++",
  "aarch64-linux-gnu-strip",
  "x86_64-w64-mingw32-gcc-posix",
  "x86_64-w64-mingw32-g++-posix",
  "x86_64-w64-mingw32-windres",
  "x86_64-w64-mingw32-strip",
];

/** A version X.Y.Z declared by a CMake `project()` (no dev rule), as source facts carry it. */
export function declaredBy(version: string): SourceFacts["declared"] {
  return { version, rule: { kind: "cmake-project", file: "CMakeLists.txt" } };
}

export function llamaSourceFacts(over: Partial<SourceFacts> = {}): SourceFacts {
  return {
    dir: "/src/llama.cpp",
    missingMarkers: [],
    commit: "de3ff815ea7d559ee917f063901b8986f038abc6",
    commitTime: 1790556072,
    tag: null,
    declared: declaredBy("0.5.0"),
    identity: "git:de3ff815ea7d559ee917f063901b8986f038abc6",
    newestFileTime: null,
    archive: null,
    ...over,
  };
}

/** Facts of a Linux x86_64 machine as data: planPack is pure, so probing is replaced by values. */
export function linuxFacts(over: Partial<PackFacts> = {}, missing: string[] = []): PackFacts {
  const tools: Record<string, string | null> = { ccache: null };
  for (const t of ALL_TOOLS) tools[t] = missing.includes(t) ? null : `/usr/bin/${t}`;
  return {
    host: { os: "linux", arch: "x86_64" },
    tools,
    toolkitVersion: null,
    toolkitMissing: [],
    compilerVersion: "c++ (Debian 12.2.0-14) 12.2.0",
    runtimeLibDirs: ["/usr/lib/gcc/x86_64-w64-mingw32/12-posix", "/usr/x86_64-w64-mingw32/lib"],
    source: llamaSourceFacts(),
    cacheDir: "/cache",
    cwd: "/work",
    packerRoot: "/packer",
    packerVersion: "0.1.0",
    cpus: 2,
    sourceDateEpoch: null,
    network: true,
    ...over,
  };
}
