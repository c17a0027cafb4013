import { createReadStream, ftruncateSync } from "node:fs";
import { type FileHandle, mkdir, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { openAppendNoFollow, readFileNoFollow, writeFileReplacing } from "@baiengine/cli-kit/system";
import { parseStrictJson, type Reporter, redactText } from "@baiengine/schema";
import { DownloadError } from "../errors.js";
import { credentialUsed, type HttpCredential } from "../http/credentials.js";
import { askedToWaitMessage, formatWait, retryAfterMs } from "../http/retry-after.js";
import { BodyPump } from "./body-pump.js";
import { type GetResponse, getFollowingRedirects, TooManyRedirects } from "../http/http-get.js";

const READ_CHUNK = 1 << 20;

/** The longest Retry-After honoured unless the caller sets another bound: 5 minutes. */
export const DEFAULT_MAX_RETRY_WAIT_MS = 5 * 60_000;

export interface DownloadOptions {
  url: string;
  /**
   * The partial file: every byte received is appended here before it is handed on, so a later run
   * resumes from it. `<part>.json` beside it records the published sha256 and the server's validators.
   */
  part: string;
  /** The index's size: reading stops there, a longer body is refused. */
  expectedSize: number;
  /** The index's sha256: a partial file recorded for another sha256 is not resumed. */
  expectedSha256: string;
  /** Attempts in a row that receive nothing before giving up; an attempt that receives bytes resets the count. */
  retries?: number;
  /** Longest silence while connecting, before the headers and within the body, ms (default 30 s). */
  timeoutMs?: number;
  /** First backoff delay, doubled per attempt without progress. */
  backoffMs?: number;
  /** A token for a private mirror (sent to the package's origin only); the URL's user:password is the other kind. */
  credential?: HttpCredential;
  /**
   * Longest wait a server may ask for with `Retry-After` (429, 503) that is honoured, ms (default
   * 5 min); a longer one fails at once, saying what the server asked.
   */
  maxRetryWaitMs?: number;
  reporter?: Reporter;
  signal?: AbortSignal;
}

/** One transfer's state across attempts: the partial file, bytes in it, bytes handed on. */
interface Transfer {
  handle: FileHandle;
  /** Longest silence on the connection, ms. */
  timeoutMs: number;
  info: PartInfo | null;
  have: number;
  delivered: number;
  buffers: Buffer[];
}

/** What `<part>.json` records about the partial file. */
interface PartInfo {
  /** The URL, redacted: a record on disk holds no credential. */
  url: string;
  sha256: string;
  etag?: string;
  lastModified?: string;
}

/**
 * The server cannot continue the bytes already handed on (it answered a resume with the whole file:
 * the file changed under its validators, or it ignores Range): the consumer must start again from zero.
 */
export class RestartFromZero extends DownloadError {}

/** HTTP 416 to a resume: the partial file is longer than the server's file. */
class RangeNotSatisfiable extends DownloadError {}

/** HTTP 401 or 403: the mirror refused the credential sent (or wants one); retrying cannot help. */
export class AuthenticationFailed extends DownloadError {
  constructor(
    override readonly url: string,
    readonly status: number,
    /** Which credential was sent, in words (`sent --auth-token`, `no credential was sent`). */
    readonly credential: string,
  ) {
    super(
      `${url}: HTTP ${status}: authentication failed (${credential})`,
      credential.startsWith("no credential")
        ? "the mirror needs a credential: put user:token@ in the registry's baseUrl (or --base-url), or pass --auth-token / set BAIENGINE_AUTH_TOKEN"
        : "check that credential (expired or revoked token, wrong user, no access to this file)",
    );
  }
}

/** HTTP 429 or 503: the server asked to come back later, `waitMs` from now when it said (Retry-After). */
export class ServerAskedToWait extends DownloadError {
  constructor(
    override readonly url: string,
    readonly status: number,
    readonly waitMs: number | null,
  ) {
    super(askedToWaitMessage(url, status, waitMs), "try again later", true, url);
  }
}

const infoPath = (part: string) => `${part}.json`;

/** The partial file's record, or null (missing, unreadable, a link planted in its place, or not a record). */
async function readPartInfo(part: string): Promise<PartInfo | null> {
  const bytes = await readFileNoFollow(infoPath(part));
  if (bytes === null) return null;
  try {
    const value = parseStrictJson(bytes) as Partial<PartInfo> | null;
    return value && typeof value.sha256 === "string" && typeof value.url === "string" ? (value as PartInfo) : null;
  } catch {
    return null;
  }
}

/** The `If-Range` value for a resume: a strong ETag, else Last-Modified (RFC 9110 §13.1.5: a weak ETag may not be used). */
function ifRange(info: PartInfo | null): string | undefined {
  if (info?.etag && !info.etag.startsWith("W/")) return info.etag;
  return info?.lastModified;
}

/**
 * A package download as a byte stream, for extracting while it arrives (one pass over the bytes).
 * HTTP(S): timeouts, redirects, resume with `Range` + `If-Range` into the partial file, retries with
 * backoff whose budget resets whenever an attempt makes progress; `file://`: read from the mirror.
 * It yields exactly `expectedSize` bytes or throws a DownloadError (RestartFromZero when the server
 * could not continue). It does not hash: the consumer (the verifier's scan) does, once.
 */
export class PackageDownload {
  /** Bytes taken from a partial file of an earlier run. */
  resumedFrom = 0;
  /** Whether any part of the bytes came through a resume (`206 Partial Content` or an earlier run). */
  resumed = false;
  attempts = 0;

  constructor(readonly options: DownloadOptions) {}

  /** The URL as messages and records show it: credentials redacted. */
  private get shown(): string {
    return redactText(this.options.url);
  }

  /** The bytes, in order; see the class comment. */
  chunks(): AsyncGenerator<Buffer> {
    const { url } = this.options;
    if (url.startsWith("file:")) return this.fileChunks();
    if (/^https?:/.test(url)) return this.httpChunks();
    throw new DownloadError(`unsupported URL ${this.shown}`, "use an http(s):// or file:// baseUrl", false, this.shown);
  }

  /** Removes the partial file and its record (wrong content, or a finished install). */
  async discard(): Promise<void> {
    await rm(this.options.part, { force: true });
    await rm(infoPath(this.options.part), { force: true });
  }

  private progress(done: number): void {
    this.options.reporter?.progress?.("download", done, this.options.expectedSize);
  }

  private async *fileChunks(): AsyncGenerator<Buffer> {
    const { url, expectedSize } = this.options;
    const shown = this.shown;
    this.attempts = 1;
    let done = 0;
    try {
      for await (const chunk of createReadStream(fileURLToPath(url), { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
        done += chunk.length;
        if (done > expectedSize) throw oversize(shown, expectedSize);
        this.progress(done);
        yield chunk;
      }
    } catch (error) {
      if (error instanceof DownloadError) throw error;
      throw new DownloadError(`${shown}: ${(error as Error).message}`, "check the path of the file:// mirror", false, shown);
    }
    if (done < expectedSize) throw new DownloadError(`${shown}: the file has ${done} bytes, the index says ${expectedSize}`, "the mirror holds another file than the one the index lists", false, shown);
  }

  private async *httpChunks(): AsyncGenerator<Buffer> {
    const o = this.options;
    const timeoutMs = o.timeoutMs ?? 30_000;
    const retries = o.retries ?? 4;
    await mkdir(dirname(o.part), { recursive: true });
    const { handle, replaced } = await openAppendNoFollow(o.part);
    if (replaced) o.reporter?.log?.("warn", `${o.part} was ${replaced}; replaced by a new partial file (never written through)`);
    const state: Transfer = { handle, timeoutMs, info: await readPartInfo(o.part), have: (await handle.stat()).size, delivered: 0, buffers: [0, 1, 2].map(() => Buffer.allocUnsafe(READ_CHUNK)) };
    try {
      if (state.have > o.expectedSize || (state.have > 0 && state.info !== null && state.info.sha256 !== o.expectedSha256)) {
        // Longer than the package, or recorded for another publication of the same name.
        await handle.truncate(0);
        state.have = 0;
        state.info = null;
      }
      let idle = 0;
      while (state.delivered < o.expectedSize) {
        const before = state.have;
        try {
          yield* this.attempt(state);
        } catch (error) {
          if (error instanceof RangeNotSatisfiable) {
            if (state.delivered > 0) throw new RestartFromZero(`${this.shown}: ${error.message}`, "the download starts again from zero");
            await handle.truncate(0);
            state.have = 0;
          }
          const failure = asDownloadError(this.shown, error, state.have, o.expectedSize, o.part);
          if (!failure.transient || o.signal?.aborted) throw failure;
          // The budget counts attempts in a row that received nothing.
          idle = state.have > before ? 1 : idle + 1;
          if (idle > retries) throw new DownloadError(`${failure.message} (${idle} attempts in a row without progress)`, failure.hint, true, this.shown);
          const wait = this.retryDelay(failure, idle);
          const budget = state.have > before ? "it made progress, the retry budget starts again" : `${idle}/${retries} without progress`;
          o.reporter?.log?.("warn", `${failure.message}; retrying in ${formatWait(wait)} (${budget}; ${state.have} of ${o.expectedSize} bytes kept)`);
          await sleep(wait);
        }
      }
    } finally {
      await handle.close();
    }
  }

  /**
   * How long to wait before the next attempt: what the server asked (Retry-After) when it did, within
   * `maxRetryWaitMs`, else a backoff doubled per attempt without progress. Throws when the server
   * asked for longer than the bound, saying both.
   */
  private retryDelay(failure: DownloadError, idle: number): number {
    const backoff = (this.options.backoffMs ?? 500) * 2 ** (idle - 1);
    if (!(failure instanceof ServerAskedToWait) || failure.waitMs === null) return backoff;
    const bound = this.options.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS;
    if (failure.waitMs > bound) {
      throw new DownloadError(
        `${failure.message}, longer than the ${formatWait(bound)} this install waits (--max-retry-wait)`,
        "try again after that time, or raise --max-retry-wait",
        false,
        this.shown,
      );
    }
    return failure.waitMs;
  }

  /**
   * One attempt: a request from the partial file's end (skipped when it is complete), then the file's
   * bytes from where the reader is (an earlier run's first) as the body pump appends them.
   */
  private async *attempt(state: Transfer): AsyncGenerator<Buffer> {
    const o = this.options;
    if (state.have === o.expectedSize) {
      // An earlier run received everything but did not finish: nothing left to ask the server for.
      this.resumed = true;
      this.resumedFrom = state.have;
      yield* this.readBack(state, null);
      return;
    }
    this.attempts++;
    const response = await this.request(state.timeoutMs, state.have, ifRange(state.info));
    // No await from here until the pump listens: a connection that drops meanwhile would take its bytes with it.
    const total = declaredTotal(response);
    if (total !== null && total < o.expectedSize) {
      // Retrying or resuming cannot help: the hosted file itself is shorter than the published one.
      abandon(response);
      throw new DownloadError(
        `${this.shown}: the server's file is ${total} bytes, the index lists ${o.expectedSize} for it`,
        "the file at that URL is not the one the index lists (re-uploaded under the same name, or an out-of-date mirror); nothing was installed",
        false,
        this.shown,
      );
    }
    let skip = 0;
    let record: PartInfo | null = null;
    if (response.statusCode === 200 && state.have > 0) {
      const fresh = validators(response);
      const changed = state.info !== null && ((state.info.etag ?? null) !== (fresh.etag ?? null) || (state.info.lastModified ?? null) !== (fresh.lastModified ?? null));
      if (changed && state.delivered > 0) {
        abandon(response);
        throw new RestartFromZero(`${this.shown}: the server's copy changed (new ETag/Last-Modified) while downloading`, "the download starts again from zero");
      }
      if (changed || state.info === null) {
        o.reporter?.log?.("warn", `${this.shown}: the server sent the whole file instead of resuming at byte ${state.have} (${changed ? "its copy changed since" : "no validators to tell"}); starting from zero`);
      } else {
        // Same file, Range ignored: drop the bytes already here.
        skip = state.have;
      }
    }
    if (response.statusCode === 200 && skip === 0) {
      if (state.delivered > 0) {
        abandon(response);
        throw new RestartFromZero(`${this.shown}: the server sent the whole file again instead of resuming at byte ${state.have}`, "the download starts again from zero");
      }
      ftruncateSync(state.handle.fd, 0);
      state.have = 0;
      state.info = { url: this.shown, sha256: o.expectedSha256, ...validators(response) };
      record = state.info;
    } else {
      this.resumed = true;
      if (state.delivered < state.have) this.resumedFrom = state.have;
    }
    const pump = new BodyPump(response.body, state.handle, state.have, o.expectedSize, () => oversize(this.shown, o.expectedSize), (size) => this.progress(size), skip);
    try {
      // The pump listens now: the record (temporary file and rename, never through a link) may take its time.
      if (record) await writeFileReplacing(infoPath(o.part), `${JSON.stringify(record)}\n`);
      yield* this.readBack(state, pump);
    } finally {
      await pump.stop();
      state.have = pump.written;
    }
    if (pump.error) throw pump.error;
    if (state.have < o.expectedSize) throw new DownloadError(`${this.shown}: response ended after ${state.have} of ${o.expectedSize} bytes`, "the download resumes from there", true, this.shown);
  }

  /** The partial file's bytes from `delivered` on, following the pump's writes until it is done (or the file's end without one). */
  private async *readBack(state: Transfer, pump: BodyPump | null): AsyncGenerator<Buffer> {
    for (let turn = 0; ; turn++) {
      const end = pump ? pump.written : state.have;
      if (state.delivered < end) {
        // Three buffers used in turn: the reader may keep a chunk until it asks for the next one.
        const buffer = state.buffers[turn % state.buffers.length]!;
        const { bytesRead } = await state.handle.read(buffer, 0, Math.min(buffer.length, end - state.delivered), state.delivered);
        if (bytesRead === 0) throw new Error(`partial file ${this.options.part} ended at byte ${state.delivered}, expected ${end}`);
        state.delivered += bytesRead;
        yield buffer.subarray(0, bytesRead);
        continue;
      }
      if (!pump || pump.done) return;
      await pump.changed();
    }
  }

  /** One request from byte `have` (a resume when > 0), returning a 200 or a 206 starting at `have`. */
  private async request(timeoutMs: number, have: number, validator: string | undefined): Promise<GetResponse> {
    const o = this.options;
    const headers: Record<string, string> = { "user-agent": "baiengine-registry-cli", ...(o.credential ? { authorization: o.credential.authorization } : {}) };
    if (have > 0) {
      headers["range"] = `bytes=${have}-`;
      if (validator) headers["if-range"] = validator;
    }
    let response: GetResponse;
    try {
      response = await getFollowingRedirects(o.url, { headers, timeoutMs, ...(o.signal ? { signal: o.signal } : {}) });
    } catch (error) {
      if (error instanceof TooManyRedirects) throw new DownloadError(`${this.shown}: ${error.message}`, "the server's redirects do not end; check the registry's baseUrl", false, this.shown);
      throw new DownloadError(`${this.shown}: ${(error as Error).message}`, "check the network and the registry's baseUrl", true, this.shown);
    }
    const { statusCode } = response;
    if (statusCode === 200 || (statusCode === 206 && have > 0)) {
      const start = statusCode === 206 ? /bytes (\d+)-/.exec(String(response.headers["content-range"] ?? ""))?.[1] : undefined;
      if (statusCode === 200 || Number(start) === have) return response;
      response.body.destroy();
      throw new DownloadError(`${this.shown}: the server resumed at byte ${start}, not ${have}`, "retrying", true, this.shown);
    }
    abandon(response);
    if (statusCode === 401 || statusCode === 403) throw new AuthenticationFailed(this.shown, statusCode, credentialUsed(o.url, o.credential));
    if (statusCode === 429 || statusCode === 503) throw new ServerAskedToWait(this.shown, statusCode, retryAfterMs(response.headers["retry-after"], response.headers.date));
    if (statusCode === 416) throw new RangeNotSatisfiable(`the server refused to resume at byte ${have} (HTTP 416: its file is shorter)`, "starting from zero", true, this.shown);
    const transient = statusCode >= 500 || statusCode === 408 || statusCode === 429;
    throw new DownloadError(
      `${this.shown}: HTTP ${statusCode}`,
      statusCode === 404 ? "the package is not published at that URL; check the registry's baseUrl and the release assets" : "try again later",
      transient,
      this.shown,
    );
  }
}

/**
 * Drops a response's body unread: a listener first, so an 'error' the destroyed stream may still
 * emit (a reset connection) cannot kill the process with a stack trace.
 */
function abandon(response: GetResponse): void {
  response.body.on("error", () => {});
  response.body.destroy();
}

function validators(response: GetResponse): Pick<PartInfo, "etag" | "lastModified"> {
  const etag = response.headers["etag"];
  const lastModified = response.headers["last-modified"];
  return { ...(typeof etag === "string" ? { etag } : {}), ...(typeof lastModified === "string" ? { lastModified } : {}) };
}

/**
 * The whole file's length as the response states it: a 206's `Content-Range: bytes a-b/TOTAL`, a
 * 200's `Content-Length` (RFC 9110 §14.4, §8.6); null when unstated or the body is content-coded
 * (its length is then not the file's).
 */
function declaredTotal(response: GetResponse): number | null {
  if (response.headers["content-encoding"] !== undefined) return null;
  const header = response.statusCode === 206 ? /\/(\d+)$/.exec(String(response.headers["content-range"] ?? ""))?.[1] : response.headers["content-length"];
  const n = typeof header === "string" ? Number(header) : Number.NaN;
  return Number.isSafeInteger(n) ? n : null;
}

/** The server sent more bytes than the published size: reading stopped at `limit`. */
export class DownloadTooLong extends DownloadError {
  constructor(
    override readonly url: string,
    readonly limit: number,
  ) {
    super(`${url}: the server sent more than the index's ${limit} bytes`, "the index and the hosted file disagree; the registry must re-publish the package");
  }
}

function oversize(url: string, limit: number): DownloadError {
  return new DownloadTooLong(url, limit);
}

/** Errors writing the partial file that no retry can fix, in words (Node's errno codes). */
const WRITE_FAILURES: Record<string, string> = {
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is exceeded",
  EROFS: "the file system is read-only",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EIO: "an I/O error",
  EFBIG: "the file is larger than this process may write",
};

function asDownloadError(url: string, error: unknown, have: number, size: number, part: string): DownloadError {
  if (error instanceof DownloadError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? "";
  const reason = WRITE_FAILURES[code];
  if (reason !== undefined) {
    // Not a network failure: retrying would only fail the same way.
    return new DownloadError(`${url}: cannot write ${part}: ${reason} (${code})`, "free space there (or pick another --engines-dir), then install again", false, url);
  }
  return new DownloadError(`${url}: ${(error as Error).message} after ${have} of ${size} bytes`, "the download resumes from there", true, url);
}
