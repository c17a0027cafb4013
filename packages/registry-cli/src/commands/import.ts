import { join, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { expandHome } from "@baiengine/cli-kit/system";
import { EXIT, type Rendered } from "@baiengine/cli-kit";
import type { Reporter } from "@baiengine/schema";
import { requirePath } from "../cli/require-path.js";
import { defaultEnginesDir } from "../install/engines-dir.js";
import { registryTrust } from "../index-source/load-registry.js";
import { importIncoming } from "../install/import-incoming.js";
import type { InstallTarget } from "../install/install-target.js";
import { indexOptions } from "../index-source/index-options.js";
import { packageVerifier } from "../verifier-port.js";

export interface ImportOptions {
  registry: string;
  incoming?: string;
  enginesDir?: string;
  /** Seconds a file must keep its size and time before it is judged. */
  settle?: number;
  trust?: string;
}

/** `import`: installs every package in the incoming folder; exit 1 when any was rejected. */
export async function importCommand(opts: ImportOptions, reporter: Reporter): Promise<Rendered> {
  const enginesDir = resolvePath(opts.enginesDir === undefined ? defaultEnginesDir() : expandHome(opts.enginesDir, "--engines-dir"));
  // The default incoming folder may be absent (nothing to import); one named by hand must exist.
  const named = opts.incoming === undefined ? undefined : expandHome(opts.incoming, "--incoming");
  if (named !== undefined) await requirePath(named, "folder", "--incoming");
  const incoming = resolvePath(named ?? `${enginesDir}/incoming`);
  // With trust configured for --registry, each file must be a target of the metadata brought along in incoming/metadata/.
  const warnings: string[] = [];
  const trusted = await registryTrust(indexOptions({ ...opts, enginesDir }, warnings, { metadataUrl: `${pathToFileURL(join(incoming, "metadata")).href}/` }));
  const prepare = trusted ? { prepare: async <T extends InstallTarget>(plan: T) => (await import("../tuf-client/signed-plan.js")).bindToSignedTargets(plan, trusted) } : {};
  const settle = opts.settle !== undefined ? { settleMs: opts.settle * 1000 } : {};
  const outcomes = await importIncoming(incoming, enginesDir, { verifier: packageVerifier, reporter }, { ...prepare, ...settle });
  const lines = outcomes.length === 0 ? ["nothing to import"] : outcomes.map((o) => (o.status === "installed" ? `installed ${o.file}${o.installedAs ? ` as ${o.installedAs}` : ""} -> ${o.result?.dir}` : `${o.status === "waiting" ? "waiting" : "rejected"} ${o.file}: ${o.reason}`));
  const rejected = outcomes.filter((o) => o.status === "rejected");
  return { json: outcomes, lines, warnings, ...(rejected.length > 0 ? { exitCode: EXIT.failed } : {}) };
}
