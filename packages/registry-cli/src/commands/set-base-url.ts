import type { Rendered } from "@baiengine/cli-kit";
import { modifyIndex } from "../index-file/modify-index.js";
import { planSetBaseUrl } from "../update/set-base-url.js";

/** `set-base-url`: points the registry at another host. */
export async function setBaseUrlCommand(url: string, opts: { registry: string }): Promise<Rendered> {
  const { written, value } = await modifyIndex(opts.registry, (index) => {
    const plan = planSetBaseUrl(index.registry, url, new Date());
    return { registry: plan.changed ? plan.registry : null, value: plan };
  });
  return { json: { from: value.from, to: url, written }, lines: [written ? `baseUrl ${value.from} -> ${url}` : `baseUrl already ${url}`] };
}
