/** proxy-from-env ships no types: its one function, as its README documents it. */
declare module "proxy-from-env" {
  /** The proxy URL for `url` from HTTP(S)_PROXY / ALL_PROXY (either case), or "" when none applies or NO_PROXY excludes the host. */
  export function getProxyForUrl(url: string | URL): string;
}
