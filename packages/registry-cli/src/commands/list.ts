import type { Rendered } from "@baiengine/cli-kit";
import { readIndex } from "../index-file/read-index.js";
import { formatTable, listRows } from "../list/list-engines.js";

/** `list`: engines, channels, versions and platforms as a table. */
export async function listCommand(opts: { registry: string }): Promise<Rendered> {
  const index = await readIndex(opts.registry, { forReaders: true });
  const rows = listRows(index.registry);
  const table = formatTable(["ENGINE", "CHANNEL", "VERSION", "PLATFORM", "SIZE", "FILE"], rows.map((r) => [r.engine, r.channel, r.version, r.platform, String(r.size), r.filename]));
  return { json: rows, lines: [table], warnings: index.skipped };
}
