import type { Rendered } from "@baiengine/cli-kit";
import { loadRegistry } from "../index-source/load-registry.js";
import { formatTable, listRows } from "../list/list-engines.js";
import { type IndexFlags, indexOptions } from "../index-source/index-options.js";

/** `list`: engines, channels, versions and platforms as a table. */
export async function listCommand(opts: IndexFlags): Promise<Rendered> {
  const warnings: string[] = [];
  const index = await loadRegistry(indexOptions(opts, warnings));
  const rows = listRows(index.registry);
  const table = formatTable(["ENGINE", "CHANNEL", "VERSION", "PLATFORM", "SIZE", "FILE"], rows.map((r) => [r.engine, r.channel, r.version, r.platform, String(r.size), r.filename]));
  return { json: rows, lines: [table], warnings: [...index.skipped, ...warnings] };
}
