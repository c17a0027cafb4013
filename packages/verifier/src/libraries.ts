import { readFileSync } from "node:fs";
import { posix } from "node:path";
import type { Arch, Os } from "@baiengine/schema";
import { type BinaryInfo, maxVersion } from "./binary/binary-info.js";
import { selectSlice } from "./binary/select-slice.js";
import { errorFinding, type Finding, infoFinding, warningFinding } from "./findings.js";

/** A native file in the package; `path` is relative to package/, e.g. "llama-server", "libs/libggml-base.so.0". */
export interface PackageBinary {
  path: string;
  info: BinaryInfo;
}
/** A symlink in the package; `target` as stored in the archive, relative to the link's folder (e.g. "libfoo.so.1.2"). */
export interface PackageSymlink {
  path: string;
  target: string;
}
export interface LibraryRequirements {
  glibc?: string;
  glibcxx?: string;
  macosMin?: string;
  /** Driver and GPU runtime libraries the package needs but does not bundle. */
  systemLibraries: string[];
}
export interface LibraryCheck {
  findings: Finding[];
  requirements: LibraryRequirements;
}
/** What a target OS provides (policy/<os>.json). Names may end in `*`. */
export interface LibraryPolicy {
  os: Os;
  caseInsensitive: boolean;
  /** On every target machine. */
  system: string[];
  /** Absolute install locations on every target machine (macOS: /usr/lib/, /System/). */
  systemPrefixes: string[];
  /** Installed with the GPU driver: may be required, never bundled. */
  drivers: string[];
  /** GPU runtimes: bundled, or declared as a requirement the user must meet. */
  runtimes: string[];
}
export interface CheckLibrariesOptions {
  symlinks?: PackageSymlink[];
  policy?: LibraryPolicy;
  /** The package's server binary (default: the first executable); its folder anchors @executable_path and Windows DLL search. */
  serverBinary?: string;
  /** The manifest's requirements.systemLibraries: runtimes declared there are reported as info instead of warnings. */
  declaredSystemLibraries?: string[];
}

const policies = new Map<Os, LibraryPolicy>();

export function loadLibraryPolicy(os: Os): LibraryPolicy {
  let policy = policies.get(os);
  if (!policy) {
    // policy/ sits beside src/ and dist/, so the same relative URL works from sources and from the build.
    policy = JSON.parse(readFileSync(new URL(`../policy/${os}.json`, import.meta.url), "utf8")) as LibraryPolicy;
    policies.set(os, policy);
  }
  return policy;
}

type Resolution = { kind: "bundled"; path: string } | { kind: "system" | "driver" | "runtime" } | { kind: "unresolved"; why: string };

export function checkLibraries(binaries: PackageBinary[], target: { os: Os; arch: Arch }, options: CheckLibrariesOptions = {}): LibraryCheck {
  const policy = options.policy ?? loadLibraryPolicy(target.os);
  const match = matcher(policy);
  const key = (p: string) => (policy.caseInsensitive ? p.toLowerCase() : p);
  const files = new Map(binaries.map((b) => [key(posix.normalize(b.path)), b]));
  const links = new Map((options.symlinks ?? []).map((l) => [key(posix.normalize(l.path)), posix.normalize(posix.join(posix.dirname(l.path), l.target))]));
  const findings: Finding[] = [];
  const requirements: LibraryRequirements = { systemLibraries: [] };
  const requiredBy = new Map<string, { kind: "driver" | "runtime"; by: string[] }>();

  /** A file in the package at `path`, following symlinks (at most 8, as a loop guard). */
  const lookup = (path: string): PackageBinary | undefined => {
    let p = posix.normalize(path);
    for (let hops = 0; hops < 8; hops++) {
      const file = files.get(key(p));
      if (file) return file;
      const next = links.get(key(p));
      if (next === undefined) return undefined;
      p = next;
    }
    return undefined;
  };

  // The slice of each binary that runs on the target; a binary with none is for another machine.
  const usable = new Map<PackageBinary, BinaryInfo>();
  for (const b of binaries) {
    const info = b.info.os === target.os ? selectSlice(b.info, target.arch) : null;
    if (info) usable.set(b, info);
    else findings.push(errorFinding("LIB_WRONG_ARCH", `${b.path} is a ${b.info.format} binary for ${b.info.os}/${b.info.machine}, not ${target.os}/${target.arch}`, b.path));
  }
  const exe =
    binaries.find((b) => b.path === options.serverBinary) ?? binaries.find((b) => usable.get(b)?.kind === "executable") ?? binaries[0];
  const exeInfo = exe ? usable.get(exe) : undefined;
  const exeDir = exe ? posix.dirname(exe.path) : ".";

  /** Expands a search-path entry to a package folder; null for entries that are not relative to the package. */
  const expand = (entry: string, ownerDir: string): string | null => {
    const m = /^(\$ORIGIN|\$\{ORIGIN\}|@loader_path|@executable_path)(\/.*)?$/.exec(entry);
    if (!m) return null;
    const base = m[1] === "@executable_path" ? exeDir : ownerDir;
    const dir = posix.normalize(posix.join(base, m[2] ?? "."));
    return dir === ".." || dir.startsWith("../") ? null : dir;
  };
  const isSystemPath = (p: string) => policy.systemPrefixes.some((prefix) => p.startsWith(prefix));

  /** Search folders for an object's dependencies, as the OS loader builds them. */
  const searchDirs = (b: PackageBinary, info: BinaryInfo): string[] => {
    const dir = posix.dirname(b.path);
    if (target.os === "windows") return [exeDir]; // the application's folder, whoever loads the DLL
    const own = (d: string, entries: string[]) => entries.map((e) => expand(e, d)).filter((e): e is string => e !== null);
    if (target.os === "macos") {
      // @rpath tries the loading image's LC_RPATHs, then those of the executable that started the chain.
      const fromExe = exe && exe !== b && exeInfo ? own(exeDir, exeInfo.rpath) : [];
      return [...own(dir, info.rpath), ...fromExe];
    }
    // ld.so: DT_RUNPATH alone when present; otherwise DT_RPATH, then the executable's DT_RPATH (if it has no RUNPATH).
    if (info.runpath.length > 0) return own(dir, info.runpath);
    const fromExe = exe && exe !== b && exeInfo && exeInfo.runpath.length === 0 ? own(exeDir, exeInfo.rpath) : [];
    return [...own(dir, info.rpath), ...fromExe];
  };

  const byPolicy = (name: string, fallback: string): Resolution => {
    const base = posix.basename(name);
    if (match.system(base) && !name.includes("/")) return { kind: "system" };
    if (name.startsWith("/") && isSystemPath(name)) return { kind: "system" };
    if (match.driver(base)) return { kind: "driver" };
    if (match.runtime(base)) return { kind: "runtime" };
    return { kind: "unresolved", why: fallback };
  };

  const resolve = (b: PackageBinary, info: BinaryInfo, name: string): Resolution => {
    if (target.os === "macos") {
      const at = /^(@rpath|@loader_path|@executable_path)\/(.+)$/.exec(name);
      if (at) {
        const dirs = at[1] === "@rpath" ? searchDirs(b, info) : [expand(at[1]!, posix.dirname(b.path))].filter((d): d is string => d !== null);
        for (const d of dirs) if (lookup(posix.join(d, at[2]!))) return { kind: "bundled", path: posix.join(d, at[2]!) };
        // An LC_RPATH into the OS (Swift's /usr/lib/swift) makes @rpath names system libraries.
        if (at[1] === "@rpath" && info.rpath.some(isSystemPath)) return { kind: "system" };
        return { kind: "unresolved", why: at[1] === "@rpath" ? `no LC_RPATH of ${b.path} (${info.rpath.join(", ") || "none"}) leads to it inside the package` : "not in the package" };
      }
      return byPolicy(name, name.startsWith("/") ? "an absolute path outside /usr/lib and /System: the library is not in the package" : "not in the package");
    }
    if (name.includes("/")) return { kind: "unresolved", why: "a path in the dependency name is resolved against the working directory" };
    const system = byPolicy(name, "");
    // Windows loads known system DLLs from the system folder before the application's folder.
    if (target.os === "windows" && system.kind === "system") return system;
    for (const d of searchDirs(b, info)) if (lookup(posix.join(d, name))) return { kind: "bundled", path: posix.join(d, name) };
    if (system.kind !== "unresolved") return system;
    return { kind: "unresolved", why: unreachableHint(b, info, name) };
  };

  /** Explains a miss: most often the library is bundled but no relocatable search path leads to it. */
  const unreachableHint = (b: PackageBinary, info: BinaryInfo, name: string): string => {
    const same = (p: string, i?: BinaryInfo) => key(posix.basename(p)) === key(name) || (i?.soname !== undefined && key(i.soname) === key(name));
    const elsewhere = binaries.find((x) => same(x.path, x.info))?.path ?? (options.symlinks ?? []).find((l) => same(l.path))?.path;
    if (!elsewhere) return "not in the package and not on the system allow-list";
    if (target.os === "windows") return `bundled at ${elsewhere}, but Windows looks for DLLs in the executable's folder (${exeDir})`;
    const paths = [...info.runpath, ...info.rpath];
    const dir = posix.relative(posix.dirname(b.path), posix.dirname(elsewhere)) || ".";
    return `bundled at ${elsewhere}, but no RUNPATH/RPATH of ${b.path} (${paths.join(":") || "none"}) leads there; link with -Wl,-rpath,'$ORIGIN${dir === "." ? "" : `/${dir}`}'`;
  };

  for (const [b, info] of usable) {
    if (match.driver(posix.basename(b.path)) || (info.soname && match.driver(info.soname))) {
      findings.push(errorFinding("LIB_DRIVER_BUNDLED", `${b.path} is part of the GPU driver; it must come from the user's driver install, never from the package`, b.path));
    }
    for (const entry of [...info.runpath, ...info.rpath]) {
      if (entry.startsWith("/") && !isSystemPath(entry)) {
        findings.push(errorFinding("LIB_ABSOLUTE_RUNPATH", `${b.path} has the absolute search path ${entry}: a build-machine folder that does not exist on users' machines; use $ORIGIN / @loader_path`, b.path));
      }
    }
    requirements.glibc = maxVersion(requirements.glibc, info.symbolVersions.GLIBC);
    requirements.glibcxx = maxVersion(requirements.glibcxx, info.symbolVersions.GLIBCXX);
    requirements.macosMin = maxVersion(requirements.macosMin, info.macosMin);

    for (const name of info.needed) {
      const r = resolve(b, info, name);
      if (r.kind === "unresolved") findings.push(errorFinding("LIB_UNRESOLVED", `${b.path} needs ${name}: ${r.why}`, b.path));
      else if (r.kind === "driver" || r.kind === "runtime") {
        const entry = requiredBy.get(name) ?? { kind: r.kind, by: [] };
        entry.by.push(b.path);
        requiredBy.set(name, entry);
      }
    }
  }

  const declared = new Set((options.declaredSystemLibraries ?? []).map(key));
  for (const [name, { kind, by }] of requiredBy) {
    requirements.systemLibraries.push(name);
    if (kind !== "runtime") continue;
    const message = `${name} (needed by ${by.join(", ")}) is not bundled: users must have this GPU runtime installed`;
    findings.push(declared.has(key(name)) ? infoFinding("LIB_RUNTIME_REQUIRED", message, by[0]) : warningFinding("LIB_RUNTIME_REQUIRED", message, by[0]));
  }
  requirements.systemLibraries.sort();
  for (const k of ["glibc", "glibcxx", "macosMin"] as const) if (requirements[k] === undefined) delete requirements[k];
  return { findings, requirements };
}

/** Name tests for a policy: exact names, or a prefix when the entry ends in `*`; case-folded on Windows. */
function matcher(policy: LibraryPolicy) {
  const fold = (s: string) => (policy.caseInsensitive ? s.toLowerCase() : s);
  const test = (patterns: string[]) => {
    const exact = new Set(patterns.filter((p) => !p.includes("*")).map(fold));
    const globs = patterns.filter((p) => p.includes("*")).map((p) => new RegExp(`^${fold(p).split("*").map(escapeRegExp).join(".*")}$`));
    return (name: string) => exact.has(fold(name)) || globs.some((g) => g.test(fold(name)));
  };
  return { system: test(policy.system), driver: test(policy.drivers), runtime: test(policy.runtimes) };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
