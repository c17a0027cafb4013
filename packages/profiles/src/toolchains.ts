import type { Platform } from "@baiengine/schema";
import { assertNoProblems, duplicates, readDataJson, readDataText, validateData } from "./load-data.js";
import { type ToolchainProfile, ToolchainsFile } from "./toolchain-profile.js";

let loaded: { file: ToolchainsFile; cross: readonly ToolchainProfile[] } | undefined;

/**
 * Validates the content of data/toolchains.json and reads each header fix's content with `readText`
 * (a path under data/). Throws SchemaValidationError with one `path: reason` line per problem.
 */
export function resolveToolchains(input: unknown, readText: (relative: string) => string = readDataText): NonNullable<typeof loaded> {
  const file = validateData("toolchains.json", ToolchainsFile, input);
  const cross = file.cross.map(({ headerFixes, ...t }): ToolchainProfile => {
    const profile: ToolchainProfile = { ...t };
    if (headerFixes) profile.headerFixes = headerFixes.map((f) => ({ file: f.file, content: readText(f.contentFile), reason: f.reason }));
    return profile;
  });
  const problems = duplicates("cross", "id", ["native", ...cross.map((t) => t.id)]);
  cross.forEach((t, i) => {
    if (t.host.os === t.target.os && t.host.arch === t.target.arch) problems.push(`cross[${i}]: host and target are the same platform (that is the native toolchain)`);
  });
  assertNoProblems("toolchains.json", problems);
  return { file, cross };
}

function loadToolchains(): NonNullable<typeof loaded> {
  loaded ??= resolveToolchains(readDataJson("toolchains.json"));
  return loaded;
}

/** Ids of the cross toolchains, in file order. */
export function crossToolchainIds(): string[] {
  return loadToolchains().cross.map((t) => t.id);
}

/** The host's own compilers (CMake's defaults), for a target equal to the host. */
export function nativeToolchain(host: Platform): ToolchainProfile {
  const { native } = loadToolchains().file;
  return {
    id: "native",
    host,
    target: host,
    cc: null,
    cxx: null,
    strip: native.strip[host.os] ?? native.strip.default,
    bundlesRuntimeFromCompiler: native.bundlesRuntimeFromCompiler,
    debianPackages: [...native.debianPackages],
    notes: [...native.notes],
  };
}

/** Every toolchain for a host: its native one, then the cross ones (of every host; see `findCrossToolchain`). */
export function listToolchainProfiles(host: Platform): ToolchainProfile[] {
  return [nativeToolchain(host), ...loadToolchains().cross];
}

/**
 * The toolchain that builds `target` on `host`: the native one when they are the same platform, a
 * cross profile, or null (a target of another OS without a cross profile, e.g. macOS from Linux,
 * needs a runner of its own).
 */
export function findToolchain(host: Platform, target: Platform): ToolchainProfile | null {
  if (host.os === target.os && host.arch === target.arch) return nativeToolchain(host);
  const same = (a: Platform, b: Platform) => a.os === b.os && a.arch === b.arch;
  return loadToolchains().cross.find((t) => same(t.host, host) && same(t.target, target)) ?? null;
}
