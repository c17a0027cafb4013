import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, stat, truncate, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { renameWithRetry } from "@baiengine/cli-kit/system";
import type { Reporter } from "@baiengine/schema";
import { Agent, type Dispatcher, interceptors, request } from "undici";
import { DownloadError } from "../errors.js";

export interface DownloadOptions {
  url: string;
  /** Where the finished file goes; the transfer is written to `<dest>.part` and resumed from it. */
  dest: string;
  /** The index's size: reading stops there, a longer body is refused. */
  expectedSize: number;
  expectedSha256: string;
  /** Attempts after the first, for network trouble (timeouts, resets, truncated bodies, 5xx). */
  retries?: number;
  /** Headers timeout and idle-body timeout, ms. */
  timeoutMs?: number;
  /** First backoff delay, doubled per attempt. */
  backoffMs?: number;
  reporter?: Reporter;
  signal?: AbortSignal;
}

export interface DownloadResult {
  file: string;
  size: number;
  sha256: string;
  attempts: number;
  /** Bytes taken from an earlier partial download. */
  resumedFrom: number;
}

const sizeOf = (path: string) => stat(path).then((s) => s.size, () => 0);

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

/** Counts bytes and refuses any beyond `limit` (a server may not send more than the index declares). */
function limitBytes(limit: number, onBytes: (n: number) => void): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) {
        done(new DownloadError(`server sent more than the declared ${limit} bytes`, "the index and the hosted file disagree; re-publish the package"));
        return;
      }
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
}

/** One HTTP attempt: appends to the `.part` file from where it stops. */
async function attempt(url: string, part: string, options: DownloadOptions, dispatcher: Dispatcher): Promise<void> {
  let have = await sizeOf(part);
  if (have > options.expectedSize) {
    await truncate(part, 0);
    have = 0;
  }
  if (have === options.expectedSize) return;
  const headers: Record<string, string> = { "user-agent": "baiengine-registry-cli" };
  if (have > 0) headers["range"] = `bytes=${have}-`;
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, { dispatcher, headers, ...(options.signal ? { signal: options.signal } : {}) });
  } catch (error) {
    throw new DownloadError(`${url}: ${(error as Error).message}`, "check the network and the registry's baseUrl", true);
  }
  const { statusCode } = response;
  if (statusCode === 206) {
    const start = /bytes (\d+)-/.exec(String(response.headers["content-range"] ?? ""))?.[1];
    if (Number(start) !== have) {
      await response.body.dump();
      await truncate(part, 0);
      throw new DownloadError(`${url}: the server resumed at byte ${start}, not ${have}`, "retrying from the start", true);
    }
  } else if (statusCode === 200) {
    if (have > 0) await truncate(part, 0);
    have = 0;
  } else {
    await response.body.dump().catch(() => {});
    const transient = statusCode >= 500 || statusCode === 408 || statusCode === 429 || statusCode === 416;
    if (statusCode === 416) await truncate(part, 0);
    throw new DownloadError(
      `${url}: HTTP ${statusCode}`,
      statusCode === 404 ? "the package is not published at that URL; check the registry's baseUrl and the release assets" : "try again later",
      transient,
    );
  }
  let done = have;
  const limit = limitBytes(options.expectedSize - have, (n) => {
    done += n;
    options.reporter?.progress?.("download", done, options.expectedSize);
  });
  try {
    await pipeline(response.body, limit, createWriteStream(part, { flags: "a" }));
  } catch (error) {
    if (error instanceof DownloadError) throw error;
    throw new DownloadError(`${url}: ${(error as Error).message} after ${done} of ${options.expectedSize} bytes`, "the download resumes from there", true);
  }
  if (done < options.expectedSize) {
    throw new DownloadError(`${url}: response ended after ${done} of ${options.expectedSize} bytes`, "the download resumes from there", true);
  }
}

async function copyFileUrl(url: string, part: string, options: DownloadOptions): Promise<void> {
  let done = 0;
  try {
    await pipeline(
      createReadStream(fileURLToPath(url)),
      limitBytes(options.expectedSize, (n) => {
        done += n;
        options.reporter?.progress?.("download", done, options.expectedSize);
      }),
      createWriteStream(part),
    );
  } catch (error) {
    if (error instanceof DownloadError) throw error;
    throw new DownloadError(`${url}: ${(error as Error).message}`, "check the path of the file:// mirror");
  }
}

/**
 * Downloads a package over HTTP(S) (timeouts, retries with backoff, resume with Range into `.part`,
 * redirects) or copies it from a `file://` URL, stopping at the declared size; then checks size and
 * sha256 and moves it to `dest`. Wrong content removes the `.part` file; network trouble keeps it for
 * the next run to resume.
 */
export async function downloadPackage(options: DownloadOptions): Promise<DownloadResult> {
  const part = `${options.dest}.part`;
  await mkdir(dirname(part), { recursive: true });
  const resumedFrom = Math.min(await sizeOf(part), options.expectedSize);
  const retries = options.retries ?? 4;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let attempts = 0;
  options.reporter?.step?.("download", options.url);
  if (options.url.startsWith("file:")) {
    attempts = 1;
    await copyFileUrl(options.url, part, options).catch(async (error) => {
      await unlink(part).catch(() => {});
      throw error;
    });
  } else if (/^https?:/.test(options.url)) {
    const dispatcher = new Agent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connect: { timeout: timeoutMs } }).compose(
      interceptors.redirect({ maxRedirections: 10 }),
    );
    try {
      for (;;) {
        attempts++;
        try {
          await attempt(options.url, part, options, dispatcher);
          break;
        } catch (error) {
          // Wrong content is not kept for resuming.
          if (!(error instanceof DownloadError) || !error.transient) await unlink(part).catch(() => {});
          if (!(error instanceof DownloadError) || !error.transient || attempts > retries || options.signal?.aborted) throw error;
          options.reporter?.log?.("warn", `${error.message}; retrying (${attempts}/${retries})`);
          await sleep((options.backoffMs ?? 500) * 2 ** (attempts - 1));
        }
      }
    } finally {
      await dispatcher.close();
    }
  } else {
    throw new DownloadError(`unsupported URL ${options.url}`, "use an http(s):// or file:// baseUrl");
  }
  const size = await sizeOf(part);
  const sha256 = await sha256File(part);
  if (size !== options.expectedSize || sha256 !== options.expectedSha256) {
    await unlink(part).catch(() => {});
    throw new DownloadError(
      `${options.url}: ${size !== options.expectedSize ? `size ${size}, the index says ${options.expectedSize}` : `sha256 ${sha256}, the index says ${options.expectedSha256}`}`,
      "the hosted file is not the published one (tampered or re-uploaded); nothing was installed",
    );
  }
  await renameWithRetry(part, options.dest);
  return { file: options.dest, size, sha256, attempts, resumedFrom };
}
