import type { Agent } from "node:http";
import type { TlsTrust } from "./tls-trust.js";
import { getProxyForUrl } from "proxy-from-env";

/**
 * The proxy for a URL from the environment, as curl, pip, npm and uv read it: `HTTPS_PROXY` for
 * https, `HTTP_PROXY` for http (either case; `ALL_PROXY` as the fallback), none for hosts `NO_PROXY`
 * lists (suffixes, ports, `*`). proxy-from-env implements these rules; null when the URL goes direct.
 */
export function proxyFor(url: string): string | null {
  const proxy = getProxyForUrl(url);
  return proxy === "" ? null : proxy;
}

/**
 * An agent that reaches `url` through `proxy`: CONNECT then TLS end to end for https targets
 * (https-proxy-agent), absolute-URL requests for http targets (http-proxy-agent); credentials in the
 * proxy URL go in `Proxy-Authorization`. Loaded only when a proxy is set, so a direct install loads
 * neither module. `tls` is for a proxy reached over https (its own certificate).
 */
export async function proxyAgent(url: URL, proxy: string, tls: TlsTrust): Promise<Agent> {
  if (url.protocol === "https:") {
    const { HttpsProxyAgent } = await import("https-proxy-agent");
    return new HttpsProxyAgent(proxy, { keepAlive: false, ...tls });
  }
  const { HttpProxyAgent } = await import("http-proxy-agent");
  return new HttpProxyAgent(proxy, { keepAlive: false, ...tls });
}
