import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { packageUrl, type Registry, RUNTIME_EXTENSION, runtimePackageUrl } from "@baiengine/schema";
import { IndexInvalidError } from "../errors.js";
import { readIndex } from "../index-file/read-index.js";
import { mapConcurrent, sha256File } from "@baiengine/cli-kit/system";
import { listFiles } from "../update/scan-packages.js";

export interface ValidationProblem {
  /** `engines[0].packages[1]` style location, or a file/URL. */
  where: string;
  message: string;
}

interface Listed {
  where: string;
  entry: { filename: string; size: number; sha256: string };
  /** Its download URL, `{baseUrl}/{tag}/{filename}`. */
  url: () => string;
}

/**
 * Every file the index lists, once: engine packages (stable, pre-release, and with `history` the
 * older versions of `versions[]`, whose files stay published) and runtime packs, with their location.
 */
export function listedPackages(registry: Registry, options: { history?: boolean } = {}): Listed[] {
  const engines = registry.engines.flatMap((engine, e) => {
    const seen = new Set<string>();
    return [
      ...engine.packages.map((entry, k) => ({ where: `engines[${e}].packages[${k}]`, entry })),
      ...(engine.prerelease?.packages ?? []).map((entry, k) => ({ where: `engines[${e}].prerelease.packages[${k}]`, entry })),
      ...(options.history ? (engine.versions ?? []) : []).flatMap((v, n) => v.packages.map((entry, k) => ({ where: `engines[${e}].versions[${n}].packages[${k}]`, entry }))),
    ]
      .filter(({ entry }) => !seen.has(entry.filename) && seen.add(entry.filename))
      .map(({ where, entry }) => ({ where, entry, url: () => packageUrl(registry, engine.id, entry) }));
  });
  const runtimes = (registry.runtimes ?? []).flatMap((runtime, r) =>
    runtime.packages.map((entry, k) => ({ where: `runtimes[${r}].packages[${k}]`, entry, url: () => runtimePackageUrl(registry, runtime.id, entry) })),
  );
  return [...engines, ...runtimes];
}

/**
 * With a packages folder (searched like `update` does): every file of the current versions (the
 * latest, the pre-release, runtime packs) is there with the index's size and sha256. Older versions
 * of `versions[]` are not expected in a build's folder; `--check-urls` checks their hosted files.
 */
export async function checkPackageFiles(registry: Registry, dir: string, concurrency = 4): Promise<ValidationProblem[]> {
  const files = [...(await listFiles(dir)), ...(await listFiles(dir, 0, RUNTIME_EXTENSION))];
  const found = new Map(files.map((path) => [basename(path), path]));
  const results = await mapConcurrent(listedPackages(registry), concurrency, async ({ where, entry }): Promise<ValidationProblem | null> => {
    const path = found.get(entry.filename);
    const info = path === undefined ? null : await stat(path).catch(() => null);
    if (!info) return { where, message: `${entry.filename} is not in ${dir}` };
    if (info.size !== entry.size) return { where, message: `${entry.filename} has ${info.size} bytes, the index says ${entry.size}` };
    const sha256 = await sha256File(path!);
    return sha256 === entry.sha256 ? null : { where, message: `${entry.filename} has sha256 ${sha256}, the index says ${entry.sha256}` };
  });
  return results.filter((r): r is ValidationProblem => r !== null);
}

/** Every resolved URL answers a HEAD (following redirects, as GitHub release downloads do) with 2xx and the right length. */
export async function checkPackageUrls(registry: Registry, options: { timeoutMs?: number; concurrency?: number } = {}): Promise<ValidationProblem[]> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  // Loaded here, not at the top: the install path (which imports this module through the CLI) never loads undici.
  const { Agent, interceptors, request } = await import("undici");
  const dispatcher = new Agent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs }).compose(interceptors.redirect({ maxRedirections: 10 }));
  try {
    const results = await mapConcurrent(listedPackages(registry, { history: true }), options.concurrency ?? 8, async ({ where, entry, url: urlOf }): Promise<ValidationProblem | null> => {
      const url = urlOf();
      try {
        const response = await request(url, { method: "HEAD", dispatcher });
        await response.body.dump();
        if (response.statusCode < 200 || response.statusCode >= 300) return { where, message: `${url}: HTTP ${response.statusCode}` };
        const length = response.headers["content-length"];
        if (length !== undefined && Number(length) !== entry.size) return { where, message: `${url}: ${length} bytes, the index says ${entry.size}` };
        return null;
      } catch (error) {
        return { where, message: `${url}: ${(error as Error).message}` };
      }
    });
    return results.filter((r): r is ValidationProblem => r !== null);
  } finally {
    await dispatcher.close();
  }
}

/**
 * A `versions[]` entry of the version the design's places hold (`latestVersion`/`packages`,
 * `prerelease`) lists other files than that place: a tool that knows no history rewrote the place.
 * Apps read the place, so it wins; the history entry is what is reported.
 */
export function historyDisagreements(registry: Registry): ValidationProblem[] {
  const files = (packages: { filename: string; sha256: string }[]) => packages.map((p) => `${p.filename} ${p.sha256}`).sort().join("\n");
  return registry.engines.flatMap((engine, e) =>
    (engine.versions ?? []).flatMap((v, n): ValidationProblem[] => {
      const place = v.version === engine.latestVersion ? { name: "packages", packages: engine.packages } : v.version === engine.prerelease?.version ? { name: "prerelease.packages", packages: engine.prerelease.packages } : null;
      if (place === null || place.packages.length === 0 || files(place.packages) === files(v.packages)) return [];
      return [{ where: `engines[${e}].versions[${n}]`, message: `${engine.id} ${v.version}: its packages differ from the engine's ${place.name} (what apps read); re-run update for that version to record them` }];
    }),
  );
}

/**
 * `validate`: the schema and cross-field rules, then (optionally) the files and the URLs. Planned
 * packages (the design's placeholders) are problems too, one each: "planned, not published".
 */
export async function validateIndexFile(file: string, options: { packagesDir?: string; checkUrls?: boolean } = {}): Promise<{ engines: number; problems: ValidationProblem[] }> {
  let index: Awaited<ReturnType<typeof readIndex>>;
  try {
    index = await readIndex(file, { allowPlaceholders: true });
  } catch (error) {
    if (!(error instanceof IndexInvalidError)) throw error;
    return { engines: 0, problems: error.issues.map((message) => ({ where: file, message })) };
  }
  const problems: ValidationProblem[] = index.placeholders.map((p) => ({ where: p.where, message: `${p.filename}: planned, not published (${p.fields})` }));
  problems.push(...historyDisagreements(index.registry));
  if (options.packagesDir) problems.push(...(await checkPackageFiles(index.registry, options.packagesDir)));
  if (options.checkUrls) problems.push(...(await checkPackageUrls(index.registry)));
  return { engines: index.registry.engines.length, problems };
}
