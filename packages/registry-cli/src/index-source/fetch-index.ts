import type { Reporter } from "@baiengine/schema";
import { DownloadError } from "../errors.js";
import { type GetResponse, getFollowingRedirects } from "../http/http-get.js";
import { describeAge } from "../tuf-client/describe-age.js";
import type { CachedIndex, IndexCache } from "./index-cache.js";

/** The largest index accepted, bytes: the live packages.json is ~40 KB; this stops a server that never ends. */
export const INDEX_MAX_BYTES = 16 * 1024 * 1024;

export interface FetchedIndex {
  bytes: Buffer;
  /** `network`: fresh bytes; `not-modified`: the server answered 304, the cache was reused; `cache`: the network failed, the cached copy was used. */
  from: "network" | "not-modified" | "cache";
  /** When these bytes were last fetched or confirmed. */
  fetchedAt: Date | null;
}

export interface FetchIndexOptions {
  timeoutMs?: number;
  reporter?: Reporter;
  now?: Date;
}

/** A failure that the cached copy may stand in for: no answer, or a server error (5xx, 408, 429). */
class Unreachable extends Error {}

function conditionalHeaders(cached: CachedIndex | null): Record<string, string> {
  const headers: Record<string, string> = { "user-agent": "baiengine-registry-cli" };
  if (cached?.record?.etag) headers["if-none-match"] = cached.record.etag;
  if (cached?.record?.lastModified) headers["if-modified-since"] = cached.record.lastModified;
  return headers;
}

async function readCapped(url: string, response: GetResponse): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > INDEX_MAX_BYTES) {
        response.body.destroy();
        throw new DownloadError(`${url}: the index is larger than ${INDEX_MAX_BYTES} bytes`, "this is not a registry index; check --registry", false, url);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof DownloadError) throw error;
    throw new Unreachable(`${(error as Error).message} after ${length} bytes`);
  }
  return Buffer.concat(chunks, length);
}

async function request(url: string, cached: CachedIndex | null, timeoutMs: number): Promise<GetResponse> {
  try {
    return await getFollowingRedirects(url, { headers: conditionalHeaders(cached), timeoutMs });
  } catch (error) {
    throw new Unreachable((error as Error).message);
  }
}

const header = (response: GetResponse, name: string) => (typeof response.headers[name] === "string" ? (response.headers[name] as string) : undefined);

/**
 * The index at an http(s) URL, with the install's HTTP client (redirects, silence timeout), cached
 * under the registry's folder with its validators: a conditional GET (`If-None-Match` /
 * `If-Modified-Since`, RFC 9110 §13.1) whose 304 reuses the cached bytes. When the network fails
 * (or the server answers 5xx/408/429) the cached copy is used with a warning naming its age;
 * without one that is a transient DownloadError. A 404 or another 4xx is a DownloadError, not a
 * reason to use the cache.
 */
export async function fetchIndex(url: string, cache: IndexCache, options: FetchIndexOptions = {}): Promise<FetchedIndex> {
  const now = options.now ?? new Date();
  const cached = await cache.read();
  try {
    const response = await request(url, cached, options.timeoutMs ?? 30_000);
    if (response.statusCode === 304 && cached?.record) {
      response.body.resume();
      await cache.confirm(cached.record, now);
      return { bytes: cached.bytes, from: "not-modified", fetchedAt: now };
    }
    if (response.statusCode !== 200) {
      response.body.resume();
      const status = response.statusCode;
      if (status >= 500 || status === 408 || status === 429) throw new Unreachable(`HTTP ${status}`);
      throw new DownloadError(`${url}: HTTP ${status}`, status === 404 ? "no index at that URL; check --registry" : "check --registry and the server", false, url);
    }
    const bytes = await readCapped(url, response);
    const etag = header(response, "etag");
    const lastModified = header(response, "last-modified");
    await cache.write(bytes, { url, ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}), fetchedAt: now.toISOString() });
    return { bytes, from: "network", fetchedAt: now };
  } catch (error) {
    if (!(error instanceof Unreachable)) throw error;
    if (!cached) throw new DownloadError(`${url}: ${error.message}`, "check the network; no cached copy of this index exists yet", true, url);
    const fetchedAt = cached.record ? new Date(cached.record.fetchedAt) : null;
    const age = fetchedAt ? `from ${describeAge(now.getTime() - fetchedAt.getTime())} ago (${cached.record!.fetchedAt})` : "of unknown age";
    options.reporter?.log?.("warn", `${url}: ${error.message}; using the cached copy ${age}`);
    return { bytes: cached.bytes, from: "cache", fetchedAt };
  }
}
