import { type Agent, type IncomingHttpHeaders, type IncomingMessage, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { redactText } from "@baiengine/schema";
import { proxyAgent, proxyFor } from "./proxy.js";
import { tlsTrust } from "./tls-trust.js";

export interface GetResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** The body as it arrives; errors with a `timeout` message when no byte comes for `timeoutMs`. */
  body: IncomingMessage;
  /** The URL that answered (after redirects), credentials included: redact before showing it. */
  url: string;
}

export interface GetOptions {
  headers: Record<string, string>;
  /** Longest silence, ms: while connecting, before the response headers, and between body bytes. */
  timeoutMs: number;
  /** Redirects followed at most (301, 302, 303, 307, 308); default 10. */
  maxRedirects?: number;
  signal?: AbortSignal;
  /** GET (default) or HEAD. */
  method?: "GET" | "HEAD";
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The server redirected more than `maxRedirects` times in a row (a loop, most likely). */
export class TooManyRedirects extends Error {}

/**
 * The one HTTP client of the registry CLI (package downloads, `validate --check-urls`, the index by
 * URL): one request over node:http/https (a fresh connection, no keep-alive), following redirects.
 * It goes through the proxy the environment names (`proxy.ts`), trusts the CAs it names
 * (`tls-trust.ts`), and sends the URL's userinfo as Basic auth and `headers.authorization` only to
 * the origin they were given for: a redirect to another origin (a CDN, a presigned object URL)
 * drops both, as curl and browsers do. Node's own client, not undici: undici parses HTTP with llhttp
 * compiled to WebAssembly, and V8 compiling that module during a download added tens of MB to an
 * install's peak memory; Node's llhttp is native code. Rejects with the socket's error, `... timeout`
 * on silence, or TooManyRedirects.
 */
export async function getFollowingRedirects(url: string, options: GetOptions): Promise<GetResponse> {
  const max = options.maxRedirects ?? 10;
  let { target, headers } = withUserinfoAsHeader(url, options.headers);
  for (let hop = 0; ; hop++) {
    const response = await requestOnce(target, { ...options, headers });
    const location = response.headers.location;
    if (!REDIRECTS.has(response.statusCode) || location === undefined) return response;
    response.body.on("error", () => {});
    response.body.destroy();
    if (hop >= max) throw new TooManyRedirects(`too many redirects (more than ${max}, the last to ${redactText(location)})`);
    const next = new URL(location, target);
    if (next.origin !== new URL(target).origin) {
      const { authorization: _dropped, ...rest } = headers;
      headers = rest;
    }
    target = next.href;
  }
}

/**
 * The URL's userinfo as a Basic `Authorization` header (RFC 7617; percent-decoded, as Node does) and
 * the URL without it, so the origin rule covers both kinds of credential. It takes the place of a
 * token header: the URL names the credential for its own host.
 */
function withUserinfoAsHeader(url: string, headers: Record<string, string>): { target: string; headers: Record<string, string> } {
  const parsed = new URL(url);
  if (parsed.username === "" && parsed.password === "") return { target: url, headers };
  const basic = Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString("base64");
  parsed.username = "";
  parsed.password = "";
  return { target: parsed.href, headers: { ...headers, authorization: `Basic ${basic}` } };
}

async function requestOnce(url: string, options: GetOptions): Promise<GetResponse> {
  const parsed = new URL(url);
  const proxy = proxyFor(url);
  const tls = parsed.protocol === "https:" ? tlsTrust() : {};
  const agent: Agent | false = proxy ? await proxyAgent(parsed, proxy, tls) : false;
  const request = parsed.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let response: IncomingMessage | null = null;
    const req = request(url, { method: options.method ?? "GET", headers: options.headers, agent, ...tls, ...(options.signal ? { signal: options.signal } : {}) }, (body) => {
      response = body;
      resolve({ statusCode: body.statusCode ?? 0, headers: body.headers, body, url });
    });
    // The socket's idle timer covers connecting, waiting for headers and every pause in the body.
    req.setTimeout(options.timeoutMs, () => {
      const error = new Error(`no data for ${options.timeoutMs} ms (timeout)`);
      response?.destroy(error);
      req.destroy(error);
    });
    req.on("error", reject);
    req.end();
  });
}
