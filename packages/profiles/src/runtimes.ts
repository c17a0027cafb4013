import { acceleratorToken, type Os } from "@baiengine/schema";
import { assertNoProblems, duplicates, readDataJson, validateData } from "./load-data.js";
import { type RuntimePlatform, type RuntimeProfile, RuntimesFile } from "./runtime-profile.js";

let loaded: readonly RuntimeProfile[] | undefined;

/** Problems between fields that zod cannot see: ids, tokens, seeds and licence folders. */
function crossCheck(profiles: RuntimeProfile[]): string[] {
  const problems = duplicates("profiles", "runtime id", profiles.map((p) => p.id));
  profiles.forEach((p, i) => {
    const where = `profiles[${i}]`;
    const token = acceleratorToken(p.accelerator, String(p.major));
    const id = p.engine ? `${p.engine}-${token}-runtime` : `${token}-runtime`;
    if (p.id !== id) problems.push(`${where}.id: expected "${id}" (the token of ${p.accelerator} ${p.major}${p.engine ? `, for ${p.engine}'s stand-in` : ""}), got ${JSON.stringify(p.id)}`);
    const oses = new Set<Os>();
    p.platforms.forEach((platform, k) => {
      const at = `${where}.platforms[${k}]`;
      if (oses.has(platform.os)) problems.push(`${at}.os: ${platform.os} is listed twice`);
      oses.add(platform.os);
      const fold = (n: string) => (platform.os === "windows" ? n.toLowerCase() : n);
      const allowed = new Set(platform.redistributable.map(fold));
      for (const seed of platform.seeds) if (!allowed.has(fold(seed))) problems.push(`${at}.seeds: ${seed} is not in redistributable`);
      for (const licence of platform.licenses) if (!licence.to.startsWith("licenses/")) problems.push(`${at}.licenses: ${licence.to} must lie under licenses/`);
    });
  });
  return problems;
}

/** Validates and cross-checks the content of data/runtimes.json; throws SchemaValidationError with one `path: reason` line per problem. */
export function parseRuntimeProfiles(input: unknown): RuntimeProfile[] {
  const file = validateData("runtimes.json", RuntimesFile, input);
  assertNoProblems("runtimes.json", crossCheck(file.profiles));
  return file.profiles;
}

/** Every runtime profile, in file order. */
export function listRuntimeProfiles(): RuntimeProfile[] {
  loaded ??= parseRuntimeProfiles(readDataJson("runtimes.json"));
  return [...loaded];
}

/** A runtime profile and its platform entry for one OS. */
export interface RuntimeTarget {
  profile: RuntimeProfile;
  platform: RuntimePlatform;
}

/**
 * The runtime an accelerator token needs on an OS (`cuda13`, linux → cuda13-runtime), or null when it
 * needs none. With `engine`, a runtime profile that only that engine's stand-in links (the hello
 * fixture's stub runtime) is preferred to the token's own.
 */
export function runtimeForToken(token: string, os: Os, engine?: string): RuntimeTarget | null {
  const candidates = listRuntimeProfiles().filter((p) => `${p.accelerator}${p.major}` === token && (p.engine === undefined || p.engine === engine));
  candidates.sort((a, b) => Number(b.engine !== undefined) - Number(a.engine !== undefined));
  for (const profile of candidates) {
    const platform = profile.platforms.find((p) => p.os === os);
    if (platform) return { profile, platform };
  }
  return null;
}

/** The runtime that provides a library on an OS (`libcudart.so.13` → cuda13-runtime), matched case-insensitively on Windows. */
export function runtimeProviding(os: Os, library: string): RuntimeTarget | null {
  const fold = (n: string) => (os === "windows" ? n.toLowerCase() : n);
  for (const profile of listRuntimeProfiles()) {
    for (const platform of profile.platforms) {
      if (platform.os === os && platform.redistributable.some((n) => fold(n) === fold(library))) return { profile, platform };
    }
  }
  return null;
}
