import path from "node:path";
import { formatPackageFilename } from "@baiengine/schema";
import type { PackFacts } from "./facts.js";
import type { PackTarget } from "./plan-target.js";
import type { PackOptions, PackPlan } from "./plan-types.js";

export type PackOutputs = Pick<PackPlan, "packageStem" | "outDir" | "outFile" | "tempFile" | "checksumFile">;

/**
 * Step 8 of planPack: the package's name (`{engine}-{version}-{os}-{arch}-{token}.baiengine`) in
 * --out (relative to the working directory, default `dist/engines`), the hidden `.<name>.partial`
 * it is written and verified under before the rename, and `<name>.sha256`.
 */
export function planOutputs(options: PackOptions, facts: PackFacts, target: PackTarget, version: string): PackOutputs {
  const filename = formatPackageFilename({ engineId: target.engine.id, version, os: target.os, arch: target.arch, acceleratorToken: target.token });
  const outDir = path.resolve(facts.cwd, options.out ?? "dist/engines");
  return {
    packageStem: filename.replace(/\.baiengine$/, ""),
    outDir,
    outFile: path.join(outDir, filename),
    tempFile: path.join(outDir, `.${filename}.partial`),
    checksumFile: path.join(outDir, `${filename}.sha256`),
  };
}
