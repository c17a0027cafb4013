import { resolve as resolvePath } from "node:path";
import { EXIT, type Rendered } from "@baiengine/cli-kit";
import type { Reporter } from "@baiengine/schema";
import { requirePath } from "../cli/require-path.js";
import { defaultEnginesDir } from "../install/engines-dir.js";
import { importIncoming } from "../install/import-incoming.js";
import { packageVerifier } from "../verifier-port.js";

export interface ImportOptions {
  incoming?: string;
  enginesDir?: string;
}

/** `import`: installs every package in the incoming folder; exit 1 when any was rejected. */
export async function importCommand(opts: ImportOptions, reporter: Reporter): Promise<Rendered> {
  const enginesDir = resolvePath(opts.enginesDir ?? defaultEnginesDir());
  // The default incoming folder may be absent (nothing to import); one named by hand must exist.
  if (opts.incoming !== undefined) await requirePath(opts.incoming, "folder", "--incoming");
  const outcomes = await importIncoming(resolvePath(opts.incoming ?? `${enginesDir}/incoming`), enginesDir, { verifier: packageVerifier, reporter });
  const lines = outcomes.length === 0 ? ["nothing to import"] : outcomes.map((o) => (o.status === "installed" ? `installed ${o.file} -> ${o.result?.dir}` : `rejected ${o.file}: ${o.reason}`));
  const rejected = outcomes.filter((o) => o.status === "rejected");
  return { json: outcomes, lines, ...(rejected.length > 0 ? { exitCode: EXIT.failed } : {}) };
}
