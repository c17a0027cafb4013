import { toolkitMajor } from "@baiengine/schema";
import { MissingToolchainError, NeedsNativeRunnerError } from "../errors.js";
import type { PackFacts } from "./facts.js";
import type { PackTarget } from "./plan-target.js";
import type { Refusals } from "./refusals.js";

/** The probed path of a tool, or null when it is absent (or `name` is null). */
export function toolPath(facts: PackFacts, name: string | null): string | null {
  return name === null ? null : (facts.tools[name] ?? null);
}

/**
 * Step 2 of planPack: refuses a pack this machine cannot build before anything runs: no CMake, a
 * missing cross compiler (naming its Debian packages), an accelerator toolkit that is absent, of
 * another major than the token's, missing the libraries the build links (cuBLAS), or cannot be
 * cross-built. A token the engine builds with its own stand-in probes no toolkit.
 */
export function checkTools(target: PackTarget, facts: PackFacts, refusals: Refusals): void {
  const { toolchain } = target;
  if (!toolPath(facts, "cmake")) refusals.refuse(new MissingToolchainError("cmake is not installed", "apt-get install cmake ninja-build (CMake 3.18 or newer)"));
  const missing = [toolchain.cc, toolchain.cxx].find((compiler) => compiler !== null && !toolPath(facts, compiler));
  if (missing) refusals.refuse(new MissingToolchainError(`the ${toolchain.id} toolchain is missing ${missing}`, `apt-get install ${toolchain.debianPackages.join(" ")}`));
  if (target.accelerator.toolkit && target.standIn === null) checkToolkit(target, facts, refusals);
}

function checkToolkit({ accelerator, token, os, arch, isCross, family }: PackTarget, facts: PackFacts, refusals: Refusals): void {
  const kit = accelerator.toolkit!;
  if (isCross) {
    refusals.refuse(new NeedsNativeRunnerError(`${token} for ${os}-${arch} cannot be cross-built from ${facts.host.os}-${facts.host.arch}`, `run pack-engine on a ${os}-${arch} runner with the ${kit.probe} toolkit`));
    return;
  }
  if (!toolPath(facts, kit.probe)) {
    refusals.refuse(new MissingToolchainError(`${token} needs ${kit.probe}, which is not installed`, kit.install));
    return;
  }
  const found = toolkitMajor(facts.toolkitVersion);
  if (kit.major !== null && found !== kit.major) {
    refusals.refuse(
      new MissingToolchainError(
        `${token} needs ${kit.probe} ${kit.major}.x, but ${facts.tools[kit.probe]} is ${facts.toolkitVersion ?? "of an unknown version"}`,
        `${kit.install}, or pass --accel ${family}${found ?? ""} to build for the installed toolkit`,
      ),
    );
  }
  if (facts.toolkitMissing.length > 0) {
    refusals.refuse(new MissingToolchainError(`${token} needs ${facts.toolkitMissing.join(", ")}, which is not installed`, `${kit.install}; the libraries it links (e.g. libcublas-dev) must be installed too`));
  }
}
