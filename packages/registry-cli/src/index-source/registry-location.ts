import { createHash } from "node:crypto";
import { basename, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * Where `--registry` points: a local file (a path or a file:// URL) or an http(s):// URL of
 * engines.json or the app's live packages.json. Its TUF metadata lives beside it in `metadata/`
 * (`{folder of the index}/metadata/timestamp.json`), and the index file is the target named by
 * its file name (`engines.json`, `packages.json`).
 */
export type RegistryLocation = { kind: "file"; path: string; url: string } | { kind: "http"; url: string };

/** Parses a `--registry` value; anything not http(s):// or file:// is a path. Pure. */
export function parseRegistryLocation(value: string): RegistryLocation {
  if (/^https?:\/\//i.test(value)) return { kind: "http", url: new URL(value).href };
  if (/^file:\/\//i.test(value)) {
    const path = fileURLToPath(value);
    return { kind: "file", path, url: pathToFileURL(path).href };
  }
  const path = resolve(value);
  return { kind: "file", path, url: pathToFileURL(path).href };
}

/** The index file's name: its target path in the signed metadata. */
export function indexFileName(location: RegistryLocation): string {
  return location.kind === "file" ? basename(location.path) : decodeURIComponent(new URL(location.url).pathname.split("/").pop() || "engines.json");
}

/** The metadata folder's URL, ending in `/`. */
export function metadataUrl(location: RegistryLocation): string {
  const url = new URL("metadata/", location.url);
  url.search = "";
  return url.href;
}

/**
 * This registry's folder under the engines folder: `<engines-dir>/registries/<host or "local">-<12
 * hex of the URL's sha256>/`, holding the cached index (`index/`) and the remembered trust
 * (`trust/root.json` and the metadata last verified).
 */
export function registryFolder(enginesDir: string, location: RegistryLocation): string {
  const url = new URL(location.url);
  const host = url.protocol === "file:" ? "local" : url.host.replace(/[^A-Za-z0-9.-]/g, "_");
  const hash = createHash("sha256").update(url.href).digest("hex").slice(0, 12);
  return join(enginesDir, "registries", `${host}-${hash}`);
}
