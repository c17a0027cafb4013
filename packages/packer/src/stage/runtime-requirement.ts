import type { Os, RuntimeRequirement } from "@baiengine/schema";
import { runtimeProviding } from "@baiengine/profiles";

/**
 * The runtime pack a package needs, derived from the libraries its binaries link but do not bundle
 * (`libcudart.so.13` → cuda13-runtime). `minVersion` is the build toolkit's major.minor when it is that
 * runtime's major (`13.0.88` → `13.0`), else `<major>.0`. Undefined when nothing it links is a runtime's;
 * a package that links two runtimes gets the first, and the verifier refuses it.
 */
export function runtimeRequirement(linked: string[], os: Os, toolkitVersion: string | null): RuntimeRequirement | undefined {
  for (const name of linked) {
    const owner = runtimeProviding(os, name);
    if (!owner) continue;
    const [major, minor] = (toolkitVersion ?? "").split(".");
    const minVersion = Number(major) === owner.profile.major && minor !== undefined ? `${major}.${minor}` : `${owner.profile.major}.0`;
    return { id: owner.profile.id, minVersion };
  }
  return undefined;
}
