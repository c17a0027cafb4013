import type { Arch, Os } from "@baiengine/schema";
import { selectSlice } from "../binary/select-slice.js";
import { errorFinding, type Finding, infoFinding, warningFinding } from "../findings.js";
import { explainMiss } from "./diagnose.js";
import { classify, isSystemPath, type LoadedObject, type LoaderContext, resolveNeeded } from "./loader.js";
import { type LibraryPolicy, loadLibraryPolicy } from "./policy.js";
import { type LibraryRequirements, libraryRequirements } from "./requirements.js";
import { type PackageBinary, type PackageSymlink, PackageTree } from "./tree.js";

export interface LibraryCheck {
  findings: Finding[];
  requirements: LibraryRequirements;
  /** The GPU runtime libraries (policy `runtimes`) linked but not bundled, each with the binaries that link it. */
  runtimeLinks: RuntimeLink[];
}

/** A GPU runtime library linked but not bundled (`libcublas.so.13`), with the binaries (package paths) that link it. */
export interface RuntimeLink {
  name: string;
  by: string[];
}
export interface CheckLibrariesOptions {
  symlinks?: PackageSymlink[];
  policy?: LibraryPolicy;
  /** The package's server binary (default: the first executable); its folder anchors @executable_path and Windows DLL search. */
  serverBinary?: string;
  /** The manifest's requirements.systemLibraries: runtimes declared there are reported as info instead of warnings. */
  declaredSystemLibraries?: string[];
}

/** GPU driver and runtime names left to the machine, with the objects that need them. */
type RequiredBy = Map<string, { kind: "driver" | "runtime"; by: string[] }>;

/**
 * §6: every dependency of every binary that runs on the target must be bundled where the OS
 * loader looks (see `resolveNeeded`), or be the machine's by the policy. Pure; never throws for
 * bad binaries (they are findings).
 */
export function checkLibraries(binaries: PackageBinary[], target: { os: Os; arch: Arch }, options: CheckLibrariesOptions = {}): LibraryCheck {
  const policy = options.policy ?? loadLibraryPolicy(target.os);
  const tree = new PackageTree(binaries, options.symlinks ?? [], policy.caseInsensitive);
  const { objects, findings } = runnableSlices(binaries, target);
  const ctx: LoaderContext = { os: target.os, policy, exe: startingExecutable(binaries, objects, options.serverBinary) };
  const requiredBy: RequiredBy = new Map();
  for (const obj of objects) {
    findings.push(...objectFindings(obj, policy));
    for (const name of obj.info.needed) {
      const r = resolveNeeded(tree, obj, name, ctx);
      if (r.kind === "unresolved") findings.push(errorFinding("LIB_UNRESOLVED", `${obj.path} needs ${name}: ${explainMiss(tree, obj, r, ctx)}`, obj.path));
      else if (r.kind === "driver" || r.kind === "runtime") {
        const entry = requiredBy.get(name) ?? { kind: r.kind, by: [] };
        entry.by.push(obj.path);
        requiredBy.set(name, entry);
      }
    }
  }
  const declared = new Set((options.declaredSystemLibraries ?? []).map((n) => tree.key(n)));
  findings.push(...runtimeFindings(requiredBy, declared, (n) => tree.key(n)));
  const runtimeLinks = [...requiredBy].filter(([, r]) => r.kind === "runtime").map(([name, r]) => ({ name, by: r.by }));
  return { findings, requirements: libraryRequirements(objects.map((o) => o.info), requiredBy.keys()), runtimeLinks };
}

/** The slice of each binary that runs on the target; a binary with none is for another machine (LIB_WRONG_ARCH). */
export function runnableSlices(binaries: PackageBinary[], target: { os: Os; arch: Arch }): { objects: LoadedObject[]; findings: Finding[] } {
  const objects: LoadedObject[] = [];
  const findings: Finding[] = [];
  for (const b of binaries) {
    const info = b.info.os === target.os ? selectSlice(b.info, target.arch) : null;
    if (info) objects.push({ path: b.path, info });
    else findings.push(errorFinding("LIB_WRONG_ARCH", `${b.path} is a ${b.info.format} binary for ${b.info.os}/${b.info.machine}, not ${target.os}/${target.arch}`, b.path));
  }
  return { objects, findings };
}

/** The program that starts the process: the named server binary, else the first executable, else the first binary. */
function startingExecutable(binaries: PackageBinary[], objects: LoadedObject[], serverBinary?: string): LoadedObject | undefined {
  const named = binaries.find((b) => b.path === serverBinary) ?? objects.find((o) => o.info.kind === "executable") ?? binaries[0];
  if (!named) return undefined;
  const runnable = objects.find((o) => o.path === named.path);
  // A server for another machine still anchors the folders; its own run paths do not count.
  return runnable ?? { path: named.path, info: { ...named.info, rpath: [], runpath: [] } };
}

/** Findings about the object itself: a bundled GPU driver, an absolute run path into the build machine. */
function objectFindings(obj: LoadedObject, policy: LibraryPolicy): Finding[] {
  const findings: Finding[] = [];
  if (classify(policy, obj.path) === "driver" || (obj.info.soname && classify(policy, obj.info.soname) === "driver")) {
    findings.push(errorFinding("LIB_DRIVER_BUNDLED", `${obj.path} is part of the GPU driver; it must come from the user's driver install, never from the package`, obj.path));
  }
  for (const entry of [...obj.info.runpath, ...obj.info.rpath]) {
    if (entry.startsWith("/") && !isSystemPath(policy, entry)) {
      findings.push(errorFinding("LIB_ABSOLUTE_RUNPATH", `${obj.path} has the absolute search path ${entry}: a build-machine folder that does not exist on users' machines; use $ORIGIN / @loader_path`, obj.path));
    }
  }
  return findings;
}

/** One LIB_RUNTIME_REQUIRED per GPU runtime left to the machine: info when the manifest declares it, else a warning. */
function runtimeFindings(requiredBy: RequiredBy, declared: Set<string>, key: (name: string) => string): Finding[] {
  const findings: Finding[] = [];
  for (const [name, { kind, by }] of requiredBy) {
    if (kind !== "runtime") continue;
    const needed = `${name} (needed by ${by.join(", ")}) is not bundled`;
    findings.push(
      declared.has(key(name))
        ? infoFinding("LIB_RUNTIME_REQUIRED", `${needed}: a GPU runtime library, which the package's runtime pack provides at install (engine-registry install links it in beside the engine)`, by[0])
        : warningFinding("LIB_RUNTIME_REQUIRED", `${needed}: users must have this GPU runtime installed`, by[0]),
    );
  }
  return findings;
}
