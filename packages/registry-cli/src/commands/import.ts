import { expandHome } from "@baiengine/cli-kit/system";
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
  /** Seconds a file must keep its size and time before it is judged. */
  settle?: number;
}

/** `import`: installs every package in the incoming folder; exit 1 when any was rejected. */
export async function importCommand(opts: ImportOptions, reporter: Reporter): Promise<Rendered> {
  const enginesDir = resolvePath(opts.enginesDir === undefined ? defaultEnginesDir() : expandHome(opts.enginesDir, "--engines-dir"));
  // The default incoming folder may be absent (nothing to import); one named by hand must exist.
  const incoming = opts.incoming === undefined ? undefined : expandHome(opts.incoming, "--incoming");
  if (incoming !== undefined) await requirePath(incoming, "folder", "--incoming");
  const outcomes = await importIncoming(resolvePath(incoming ?? `${enginesDir}/incoming`), enginesDir, { verifier: packageVerifier, reporter }, opts.settle !== undefined ? { settleMs: opts.settle * 1000 } : {});
  const lines = outcomes.length === 0 ? ["nothing to import"] : outcomes.map((o) => (o.status === "installed" ? `installed ${o.file}${o.installedAs ? ` as ${o.installedAs}` : ""} -> ${o.result?.dir}` : `${o.status === "waiting" ? "waiting" : "rejected"} ${o.file}: ${o.reason}`));
  const rejected = outcomes.filter((o) => o.status === "rejected");
  return { json: outcomes, lines, ...(rejected.length > 0 ? { exitCode: EXIT.failed } : {}) };
}
