import { chmod, copyFile, cp, mkdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { type Manifest, parseManifest, type Requirements } from "@baiengine/schema";
import { checkLibraryFolder } from "@baiengine/verifier";
import { execa } from "execa";
// The errors subpath keeps commander and cli-progress out of library imports.
import { FailureError } from "@baiengine/cli-kit/errors";
import type { Closure } from "../collect/collect-closure.js";
import type { CollectPlan } from "../plan/plan-types.js";
import { runtimeRequirement } from "./runtime-requirement.js";

/**
 * Lays the package out in `stageDir/` (the archive's `package/`): the collected binaries as real
 * files, stripped unless told otherwise, the licence files, and manifest.json with the facts read
 * from the binaries, including the runtime pack it needs (`runtime`, from the GPU runtime libraries
 * it links). Returns the final manifest.
 */
export async function stagePackage(stageDir: string, collect: CollectPlan, closure: Closure, draft: Manifest): Promise<Manifest> {
  await rm(stageDir, { recursive: true, force: true });
  await mkdir(stageDir, { recursive: true });
  for (const file of closure.files) {
    const dest = path.join(stageDir, file.to);
    await mkdir(path.dirname(dest), { recursive: true });
    await copyFile(file.from, dest);
    await chmod(dest, file.kind === "server" ? 0o755 : 0o644);
    // Toolchain runtime DLLs too: Debian's libstdc++-6.dll carries 20 MB of debug sections.
    if (collect.strip) {
      const r = await execa(collect.strip.tool, [...collect.strip.args, dest], { reject: false, stdin: "ignore", env: collect.strip.env });
      if (r.exitCode !== 0) throw new FailureError(`${collect.strip.tool} failed on ${file.to}: ${r.stderr.split("\n")[0]}`, "install the target's binutils, or pass --no-strip");
    }
  }
  for (const licence of collect.licenseFiles) {
    const st = await stat(licence.from).catch(() => null);
    if (!st) throw new FailureError(`licence file ${licence.from} is missing`, "the engine profile's licenseFiles must exist in the source tree");
    await cp(licence.from, path.join(stageDir, licence.to), { recursive: true });
  }
  const staged = await stagedRequirements(stageDir, draft);
  const runtime = runtimeRequirement(staged.runtimeLinks, draft.os, draft.acceleratorVersion);
  const manifest = parseManifest({ ...draft, ...(runtime ? { runtime } : {}), requirements: { ...draft.requirements, ...staged.requirements } });
  await writeFile(path.join(stageDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * The staged binaries' requirements, computed by the verifier's own function over the staging
 * folder (the files as they will ship, after strip): symbol-version floors, minimum macOS, and the
 * driver and GPU runtime libraries its policy leaves to the user's machine; and the GPU runtime
 * libraries alone (`runtimeLinks`), from which the manifest's runtime is derived.
 */
async function stagedRequirements(
  stageDir: string,
  draft: Manifest,
): Promise<{ requirements: Pick<Requirements, "glibc" | "glibcxx" | "macosMin" | "systemLibraries">; runtimeLinks: string[] }> {
  const { requirements, runtimeLinks } = await checkLibraryFolder(stageDir, { os: draft.os, arch: draft.arch }, { serverBinary: draft.serverBinary });
  const { systemLibraries, ...floors } = requirements;
  return { requirements: { ...floors, ...(systemLibraries.length > 0 ? { systemLibraries } : {}) }, runtimeLinks: runtimeLinks.map((l) => l.name) };
}
