import { BaseUrlField, type Registry } from "@baiengine/schema";
import { UsageError } from "@baiengine/cli-kit/errors";
import { utcTimestamp } from "../index-file/modify-index.js";

/** The design's move to static hosting: a new `baseUrl` (http(s), no trailing slash). Pure. */
export function planSetBaseUrl(registry: Registry, url: string, now: Date): { registry: Registry; from: string; changed: boolean } {
  const parsed = BaseUrlField.safeParse(url);
  if (!parsed.success) {
    throw new UsageError(`invalid base URL: ${parsed.error.issues.map((i) => i.message).join("; ")}`, "e.g. https://cdn.example.com/engines (packages are fetched from {baseUrl}/{tag}/{filename})");
  }
  if (registry.baseUrl === url) return { registry, from: url, changed: false };
  return { registry: { ...registry, baseUrl: url, lastUpdated: utcTimestamp(now) }, from: registry.baseUrl, changed: true };
}
