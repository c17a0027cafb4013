import { listAcceleratorProfiles } from "./accelerators.js";
import { EnginesFile, type EngineProfile } from "./engine-profile.js";
import { assertNoProblems, duplicates, readDataJson, reasonsWithoutDefine, validateData } from "./load-data.js";
import { crossToolchainIds } from "./toolchains.js";

let engines: readonly EngineProfile[] | undefined;

/**
 * Validates and checks the content of data/engines.json against the known accelerator tokens and
 * toolchain ids: ids unique, reasons name defines, tokens and toolchain ids exist.
 * Throws SchemaValidationError with one `path: reason` line per problem.
 */
export function resolveEngines(input: unknown, known: { tokens: string[]; toolchainIds: string[] }): EngineProfile[] {
  const file = validateData("engines.json", EnginesFile, input);
  const tokens = new Set(known.tokens);
  const toolchains = new Set(known.toolchainIds);
  const problems = duplicates("engines", "id", file.engines.map((e) => e.id));
  file.engines.forEach((e, i) => {
    const where = `engines[${i}]`;
    problems.push(...reasonsWithoutDefine(where, e.cmakeDefines, e.defineReasons));
    for (const t of e.tokens ?? []) if (!tokens.has(t)) problems.push(`${where}.tokens: no accelerator profile has the token ${JSON.stringify(t)}`);
    for (const t of Object.keys(e.standIns ?? {})) if (!e.tokens?.includes(t)) problems.push(`${where}.standIns.${t}: the engine's tokens do not list ${JSON.stringify(t)}`);
    for (const id of Object.keys(e.toolchainFlags)) if (!toolchains.has(id)) problems.push(`${where}.toolchainFlags.${id}: no toolchain profile has this id`);
    e.versionRules.forEach((r, j) => {
      if (r.kind === "cmake-set" && r.dev && r.dev.option in e.cmakeDefines) problems.push(`${where}.versionRules[${j}].dev.option: ${r.dev.option} is also in cmakeDefines; the version rule decides it per checkout`);
    });
    problems.push(...placeholderProblems(`${where}.smoke`, e.smoke), ...(e.deviceProbe ? placeholderProblems(`${where}.deviceProbe`, e.deviceProbe) : []));
  });
  assertNoProblems("engines.json", problems);
  return file.engines;
}

/** Server arguments may name `{model}` only where a model is generated, and only the known placeholders. */
function placeholderProblems(where: string, run: { args: string[]; model?: string | null }): string[] {
  const problems: string[] = [];
  for (const [i, arg] of run.args.entries()) {
    for (const [, name] of arg.matchAll(/\{([^}]*)\}/g)) {
      if (!SERVER_PLACEHOLDERS.has(name!)) problems.push(`${where}.args[${i}]: unknown placeholder {${name}} (known: {model}, {host}, {port})`);
      else if (name === "model" && !run.model) problems.push(`${where}.args[${i}]: {model} needs a generated model (${where}.model)`);
    }
  }
  return problems;
}

const SERVER_PLACEHOLDERS = new Set(["model", "host", "port"]);

function loadEngines(): readonly EngineProfile[] {
  engines ??= resolveEngines(readDataJson("engines.json"), {
    tokens: listAcceleratorProfiles().map((a) => a.token),
    toolchainIds: ["native", ...crossToolchainIds()],
  });
  return engines;
}

/** Every engine profile, in the order of data/engines.json. Throws SchemaValidationError when the data is invalid. */
export function listEngineProfiles(): EngineProfile[] {
  return [...loadEngines()];
}

/** The engine profile with this id, or null (callers raise their own error naming `listEngineProfiles()`' ids). */
export function findEngineProfile(id: string): EngineProfile | null {
  return loadEngines().find((e) => e.id === id) ?? null;
}
