import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { UsageError } from "@baiengine/cli-kit";

/**
 * Parses `--base-url`: an http(s):// or file:// URL, returned without trailing slashes. Anything
 * else (a bare folder path, ftp://, a typo) is refused in one line (exit 2) before any folder is
 * created or any byte fetched; for a path that is not a URL the hint gives the file:// spelling.
 */
export function parseMirrorUrl(value: string): string {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  if (url !== null && ["http:", "https:", "file:"].includes(url.protocol)) return value.replace(/\/+$/, "");
  // `C:\mirror` parses as a URL of scheme `c:`: a Windows path, like a bare POSIX one.
  const isPath = url === null || /^[a-z]:$/i.test(url.protocol);
  const hint = isPath ? `for a local folder, pass its file:// URL: --base-url ${pathToFileURL(resolve(value)).href.replace(/\/+$/, "")}` : "use the mirror's http(s):// URL, or a file:// URL of a local folder";
  throw new UsageError(`--base-url ${value} is not an http(s):// or file:// URL`, hint);
}
