import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Registry, Reporter } from "@baiengine/schema";
import { readIndexBytes } from "../index-file/read-index.js";
import type { TrustedTargets } from "../tuf-client/refresh-metadata.js";
import { type FetchedIndex, fetchIndex } from "./fetch-index.js";
import { IndexCache } from "./index-cache.js";
import { parseIndexDocument } from "./parse-index-document.js";
import { indexFileName, metadataUrl, parseRegistryLocation, type RegistryLocation, registryFolder } from "./registry-location.js";

export interface LoadRegistryOptions {
  /** `--registry`: a path, a file:// URL or an http(s):// URL of engines.json or packages.json. */
  registry: string;
  /** The engines folder: the index cache and the remembered trust live under `registries/`. */
  enginesDir: string;
  /** `--trust`: a root.json to trust for this registry (remembered). */
  trust?: string;
  /** Where the metadata is read from instead of beside the index (import's `incoming/metadata/`), a folder URL ending in `/`. */
  metadataUrl?: string;
  timeoutMs?: number;
  reporter?: Reporter;
}

export interface LoadedRegistry {
  registry: Registry;
  /** One warning line per package entry left out for a platform this version does not know. */
  skipped: string[];
  location: RegistryLocation;
  /** How the index bytes were had (null for a local file). */
  fetched: FetchedIndex | null;
  /** The signed targets when trust is configured for this registry, else null (unsigned, as before). */
  trusted: TrustedTargets | null;
  /** This registry's folder under the engines folder. */
  folder: string;
}

async function readLocal(location: Extract<RegistryLocation, { kind: "file" }>): Promise<Buffer> {
  return readIndexBytes(location.path, "--registry", "pass --registry <path or URL of engines.json>, or create one with `engine-registry init <dir>`");
}

/**
 * The registry's signed targets when trust is configured for it (`--trust` now, remembering the
 * root, or before), after the TUF refresh from its metadata folder (or `metadataUrl`); null when
 * no trust is configured. Throws TrustRefusedError.
 */
export async function registryTrust(options: LoadRegistryOptions): Promise<TrustedTargets | null> {
  const location = parseRegistryLocation(options.registry);
  const trustDir = join(registryFolder(options.enginesDir, location), "trust");
  if (options.trust !== undefined) {
    const { rememberTrust } = await import("../tuf-client/trusted-root.js");
    const note = await rememberTrust(trustDir, options.trust);
    if (note) options.reporter?.log?.("warn", note);
  }
  // Trust is configured when the registry's trust folder has a root; tuf-js is loaded only then.
  if (!(await stat(join(trustDir, "root.json")).then(() => true, () => false))) return null;
  const { refreshTrust } = await import("../tuf-client/refresh-metadata.js");
  return refreshTrust({
    metadataUrl: options.metadataUrl ?? metadataUrl(location),
    trustDir,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.reporter ? { reporter: options.reporter } : {}),
  });
}

/**
 * The registry index as the app reads it: from its URL (cached, see fetchIndex) or a local file.
 * When trust is configured for the registry (`--trust` now or before), its TUF metadata is
 * refreshed first and the index bytes must be the signed `engines.json`/`packages.json` target
 * before they are parsed; a registry without configured trust is read exactly as before. Throws
 * TrustRefusedError, DownloadError, IndexInvalidError, or UsageError for a local file that does not exist.
 */
export async function loadRegistry(options: LoadRegistryOptions): Promise<LoadedRegistry> {
  const location = parseRegistryLocation(options.registry);
  const folder = registryFolder(options.enginesDir, location);
  const name = indexFileName(location);
  const trusted = await registryTrust(options);
  let fetched: FetchedIndex | null = null;
  let bytes: Buffer;
  if (location.kind === "http") {
    fetched = await fetchIndex(location.url, new IndexCache(folder, name), { ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}), ...(options.reporter ? { reporter: options.reporter } : {}) });
    bytes = fetched.bytes;
  } else {
    bytes = await readLocal(location);
  }
  if (trusted) await (await import("../tuf-client/signed-files.js")).checkSignedIndex(trusted, name, bytes);
  const { registry, skipped } = await parseIndexDocument(location.kind === "file" ? location.path : location.url, bytes);
  return { registry, skipped, location, fetched, trusted, folder };
}
