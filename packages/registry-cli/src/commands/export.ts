import { type Rendered, UsageError } from "@baiengine/cli-kit";
import { exportPackagesJson } from "../packages-json/apply-packages-json.js";

export interface ExportOptions {
  registry: string;
  format: string;
  out?: string;
}

/** `export`: the index in the app's packages.json format, printed or written to `out`. */
export async function exportCommand(opts: ExportOptions): Promise<Rendered> {
  if (opts.format !== "packages-json") throw new UsageError(`--format ${opts.format} is not a known format`, "use --format packages-json");
  const result = await exportPackagesJson({ registryFile: opts.registry, ...(opts.out !== undefined ? { out: opts.out } : {}) });
  const rendered = { warnings: result.notes, json: { out: opts.out, engines: result.engines, notes: result.notes }, lines: [`${opts.out}: ${result.engines} engine(s) from ${opts.registry}`] };
  // Without --out the document itself is the output, --json or not.
  return opts.out === undefined ? { ...rendered, text: result.text } : rendered;
}
