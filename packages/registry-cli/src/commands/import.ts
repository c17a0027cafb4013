import { basename, resolve as resolvePath } from "node:path";
import { EXIT, type Rendered } from "@baiengine/cli-kit";
import type { Reporter } from "@baiengine/schema";
import { requirePath } from "../cli/require-path.js";
import { defaultEnginesDir } from "../install/engines-dir.js";
import { importIncoming } from "../install/import-incoming.js";
import { activateInstalled } from "../installed/activate.js";
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
  // An imported engine becomes active like an installed one (the first of an engine, or an update).
  for (const o of outcomes) {
    const r = o.result;
    if (o.status !== "installed" || !r || !("engineId" in r) || r.alreadyInstalled) continue;
    const platform = basename(r.dir);
    Object.assign(o, { activation: await activateInstalled(enginesDir, { engineId: r.engineId, version: r.version, platform, osArch: platform.split("-").slice(0, 2).join("-") }, reporter) });
  }
  const lines = outcomes.length === 0 ? ["nothing to import"] : outcomes.map((o) => (o.status === "installed" ? `installed ${o.file} -> ${o.result?.dir}` : `rejected ${o.file}: ${o.reason}`));
  const rejected = outcomes.filter((o) => o.status === "rejected");
  return { json: outcomes, lines, ...(rejected.length > 0 ? { exitCode: EXIT.failed } : {}) };
}
