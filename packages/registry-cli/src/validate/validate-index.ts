import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { packageUrl, type Registry, RUNTIME_EXTENSION, redactText, runtimePackageUrl } from "@baiengine/schema";
import { IndexInvalidError } from "../errors.js";
import { credentialUsed, type HttpCredential } from "../http/credentials.js";
import { getFollowingRedirects } from "../http/http-get.js";
import { askedToWaitMessage, retryAfterMs } from "../http/retry-after.js";
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
 * With packages folders (each searched like `update` does: engines and runtime packs may lie apart): every file of the current versions (the
 * latest, the pre-release, runtime packs) is there with the index's size and sha256. Older versions
 * of `versions[]` are not expected in a build's folder; `--check-urls` checks their hosted files.
 */
export async function checkPackageFiles(registry: Registry, dirs: string | readonly string[], concurrency = 4): Promise<ValidationProblem[]> {
  const folders = typeof dirs === "string" ? [dirs] : dirs;
  const dir = folders.join(", ");
  const files: string[] = [];
  for (const folder of folders) files.push(...(await listFiles(folder)), ...(await listFiles(folder, 0, RUNTIME_EXTENSION)));
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

/** Options of `checkPackageUrls`. */
export interface UrlCheckOptions {
  timeoutMs?: number;
  concurrency?: number;
  /** A token for a private mirror (`--auth-token`, BAIENGINE_AUTH_TOKEN). */
  credential?: HttpCredential;
}

/**
 * Every resolved URL answers (following redirects, as GitHub release downloads do) with 2xx and the
 * right length: a HEAD, or, where the host refuses HEAD (405, 501) though GET works, a GET of the
 * first byte (`Range: bytes=0-0`, its length from `Content-Range`). Through the one HTTP client, so
 * proxies, CAs and credentials are those of an install; URLs in problems are redacted.
 */
export async function checkPackageUrls(registry: Registry, options: UrlCheckOptions = {}): Promise<ValidationProblem[]> {
  const results = await mapConcurrent(listedPackages(registry, { history: true }), options.concurrency ?? 8, async ({ where, entry, url }): Promise<ValidationProblem | null> => {
    const problem = await checkUrl(url(), entry.size, options);
    return problem === null ? null : { where, message: problem };
  });
  return results.filter((r): r is ValidationProblem => r !== null);
}

/** What is wrong with one URL, or null. */
async function checkUrl(url: string, size: number, options: UrlCheckOptions): Promise<string | null> {
  const shown = redactText(url);
  const get = async (method: "HEAD" | "GET", extra: Record<string, string>) => {
    const headers = { "user-agent": "baiengine-registry-cli", ...(options.credential ? { authorization: options.credential.authorization } : {}), ...extra };
    const response = await getFollowingRedirects(url, { method, headers, timeoutMs: options.timeoutMs ?? 20_000 });
    response.body.on("error", () => {});
    response.body.destroy();
    return response;
  };
  try {
    let response = await get("HEAD", {});
    let length = response.headers["content-length"];
    if (response.statusCode === 405 || response.statusCode === 501) {
      response = await get("GET", { range: "bytes=0-0" });
      length = response.statusCode === 206 ? /\/(\d+)$/.exec(String(response.headers["content-range"] ?? ""))?.[1] : response.headers["content-length"];
    }
    const { statusCode } = response;
    if (statusCode === 401 || statusCode === 403) return `${shown}: HTTP ${statusCode}: authentication failed (${credentialUsed(url, options.credential)})`;
    if (statusCode === 429 || statusCode === 503) return askedToWaitMessage(shown, statusCode, retryAfterMs(response.headers["retry-after"], response.headers.date));
    if (statusCode < 200 || statusCode >= 300) return `${shown}: HTTP ${statusCode}`;
    if (length !== undefined && Number(length) !== size) return `${shown}: ${length} bytes, the index says ${size}`;
    return null;
  } catch (error) {
    return `${shown}: ${(error as Error).message}`;
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
export async function validateIndexFile(file: string, options: { packagesDir?: string | readonly string[]; checkUrls?: boolean; credential?: HttpCredential } = {}): Promise<{ engines: number; problems: ValidationProblem[] }> {
  let index: Awaited<ReturnType<typeof readIndex>>;
  try {
    index = await readIndex(file, { allowPlaceholders: true });
  } catch (error) {
    if (!(error instanceof IndexInvalidError)) throw error;
    return { engines: 0, problems: error.issues.map((message) => ({ where: file, message })) };
  }
  const problems: ValidationProblem[] = index.placeholders.map((p) => ({ where: p.where, message: `${p.filename}: planned, not published (${p.fields})` }));
  problems.push(...historyDisagreements(index.registry));
  if (options.packagesDir !== undefined && options.packagesDir.length > 0) problems.push(...(await checkPackageFiles(index.registry, options.packagesDir)));
  if (options.checkUrls) problems.push(...(await checkPackageUrls(index.registry, options.credential ? { credential: options.credential } : {})));
  return { engines: index.registry.engines.length, problems };
}
