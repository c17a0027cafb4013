import { type IncomingHttpHeaders, type IncomingMessage, get as httpGet } from "node:http";
import { get as httpsGet } from "node:https";

export interface GetResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** The body as it arrives; errors with a `timeout` message when no byte comes for `timeoutMs`. */
  body: IncomingMessage;
}

export interface GetOptions {
  headers: Record<string, string>;
  /** Longest silence, ms: while connecting, before the response headers, and between body bytes. */
  timeoutMs: number;
  /** Redirects followed at most (301, 302, 303, 307, 308); default 10. */
  maxRedirects?: number;
  signal?: AbortSignal;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The server redirected more than `maxRedirects` times in a row (a loop, most likely). */
export class TooManyRedirects extends Error {}

/**
 * One GET over node:http/https (a fresh connection, no keep-alive), following redirects. Package
 * downloads use it instead of undici: undici parses HTTP with llhttp compiled to WebAssembly, and
 * V8 compiling that module with TurboFan during a download added tens of MB to an install's peak
 * memory; Node's own llhttp is native code. Rejects with the socket's error, `... timeout` on silence, or TooManyRedirects.
 */
export async function getFollowingRedirects(url: string, options: GetOptions): Promise<GetResponse> {
  const max = options.maxRedirects ?? 10;
  let target = url;
  for (let hop = 0; ; hop++) {
    const response = await getOnce(target, options);
    const location = response.headers.location;
    if (!REDIRECTS.has(response.statusCode) || location === undefined) return response;
    response.body.destroy();
    if (hop >= max) throw new TooManyRedirects(`too many redirects (more than ${max}, the last to ${location})`);
    target = new URL(location, target).href;
  }
}

function getOnce(url: string, options: GetOptions): Promise<GetResponse> {
  const get = new URL(url).protocol === "https:" ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    let response: IncomingMessage | null = null;
    const request = get(url, { headers: options.headers, agent: false, ...(options.signal ? { signal: options.signal } : {}) }, (body) => {
      response = body;
      resolve({ statusCode: body.statusCode ?? 0, headers: body.headers, body });
    });
    // The socket's idle timer covers connecting, waiting for headers and every pause in the body.
    request.setTimeout(options.timeoutMs, () => {
      const error = new Error(`no data for ${options.timeoutMs} ms (timeout)`);
      response?.destroy(error);
      request.destroy(error);
    });
    request.on("error", reject);
  });
}
