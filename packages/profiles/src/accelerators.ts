import { safeParseAcceleratorToken, isSupportedPlatform } from "@baiengine/schema";
import { type AcceleratorProfile, AcceleratorsFile } from "./accelerator-profile.js";
import { assertNoProblems, duplicates, readDataJson, reasonsWithoutDefine, validateData } from "./load-data.js";

let loaded: { profiles: readonly AcceleratorProfile[]; lists: Record<string, string[]> } | undefined;

/** Expands one profile of the file; names of sets or lists that do not exist are problems. */
function resolveProfile(file: AcceleratorsFile, index: number, problems: string[]): AcceleratorProfile {
  const p = file.profiles[index]!;
  const where = `profiles[${index}]`;
  const cmakeDefines: Record<string, string> = {};
  const defineReasons: Record<string, string> = {};
  for (const name of p.defineSets ?? []) {
    const set = file.defineSets[name];
    if (!set) problems.push(`${where}.defineSets: no define set is named ${JSON.stringify(name)}`);
    else {
      Object.assign(cmakeDefines, set.defines);
      Object.assign(defineReasons, set.reasons);
    }
  }
  Object.assign(cmakeDefines, p.cmakeDefines);
  Object.assign(defineReasons, p.defineReasons);
  const profile: AcceleratorProfile = { os: p.os, arch: p.arch, token: p.token, cmakeDefines, defineReasons, toolkit: p.toolkit };
  if (p.gpuTargets) {
    const list = file.gpuTargetLists[p.gpuTargets.list];
    if (!list) problems.push(`${where}.gpuTargets.list: no GPU target list is named ${JSON.stringify(p.gpuTargets.list)}`);
    for (const define of p.gpuTargets.defines) cmakeDefines[define] = (list ?? []).join(";");
    profile.gpuTargets = { define: p.gpuTargets.defines[0]!, list: [...(list ?? [])] };
  }
  return profile;
}

/** Problems of a resolved profile: token, platform matrix, reasons, toolkit major. */
function checkProfile(p: AcceleratorProfile, where: string): string[] {
  const problems = reasonsWithoutDefine(where, p.cmakeDefines, p.defineReasons);
  const token = safeParseAcceleratorToken(p.token);
  if (!token.ok) problems.push(`${where}.token: ${token.error}`);
  else if (p.toolkit?.major != null && token.value.major !== p.toolkit.major) problems.push(`${where}.toolkit.major: ${p.toolkit.major} is not the token's major`);
  if (!isSupportedPlatform(p.os, p.arch, p.token)) problems.push(`${where}: ${p.os}-${p.arch}-${p.token} is not allowed by the platform matrix (@baiengine/schema)`);
  return problems;
}

/**
 * Validates, expands and checks the content of data/accelerators.json: names of sets and lists exist,
 * tokens parse and the platform matrix allows each profile, reasons name defines, no platform twice.
 * Throws SchemaValidationError with one `path: reason` line per problem.
 */
export function resolveAccelerators(input: unknown): { profiles: AcceleratorProfile[]; lists: Record<string, string[]> } {
  const file = validateData("accelerators.json", AcceleratorsFile, input);
  const problems: string[] = [];
  const profiles = file.profiles.map((_, i) => resolveProfile(file, i, problems));
  profiles.forEach((p, i) => {
    problems.push(...checkProfile(p, `profiles[${i}]`));
  });
  problems.push(...duplicates("profiles", "platform", profiles.map((p) => `${p.os}-${p.arch}-${p.token}`)));
  assertNoProblems("accelerators.json", problems);
  return { profiles, lists: file.gpuTargetLists };
}

function loadAccelerators(): NonNullable<typeof loaded> {
  loaded ??= resolveAccelerators(readDataJson("accelerators.json"));
  return loaded;
}

/** Every (os, arch, token) the packer can plan, in file order: build-matrix turns these into cells. */
export function listAcceleratorProfiles(): AcceleratorProfile[] {
  return [...loadAccelerators().profiles];
}

/** The profile for a target, or null (callers raise their own error naming the tokens known for that platform). */
export function findAcceleratorProfile(os: string, arch: string, token: string): AcceleratorProfile | null {
  return loadAccelerators().profiles.find((p) => p.os === os && p.arch === arch && p.token === token) ?? null;
}

/** A named GPU target list of data/accelerators.json (`cuda12`, `cuda13`, `rocm6`); throws for an unknown name. */
export function gpuTargetList(name: string): string[] {
  const list = loadAccelerators().lists[name];
  if (!list) throw new Error(`no GPU target list is named ${JSON.stringify(name)} in @baiengine/profiles data/accelerators.json`);
  return [...list];
}
