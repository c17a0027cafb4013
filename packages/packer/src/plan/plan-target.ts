import type { AcceleratorProfile, EngineProfile, ToolchainProfile } from "@baiengine/profiles";
import { nativeToolchain } from "@baiengine/profiles";
import { type Accelerator, type Arch, isSupportedPlatform, type Os, safeParseAcceleratorToken } from "@baiengine/schema";
import { NeedsNativeRunnerError, UnknownProfileError, UnsupportedTargetError } from "../errors.js";
import type { PackFacts } from "./facts.js";
import type { PackOptions } from "./plan-types.js";
import type { Refusals } from "./refusals.js";
import { getAcceleratorProfile, getEngineProfile, selectToolchain } from "./select-profiles.js";

/** What a pack is for: the engine, the platform and accelerator, and the toolchain that builds it here. */
export interface PackTarget {
  engine: EngineProfile;
  os: Os;
  arch: Arch;
  /** File-name token: `cpu`, `cuda12`. */
  token: string;
  /** The token's accelerator family: `cuda`. */
  family: Accelerator;
  accelerator: AcceleratorProfile;
  toolchain: ToolchainProfile;
  /** Built with a cross toolchain (another platform than this machine's). */
  isCross: boolean;
  /** The engine's own stand-in for the accelerator's toolkit (the hello fixture's stub GPU runtime), or null. */
  standIn: NonNullable<EngineProfile["standIns"]>[string] | null;
}

/**
 * Step 1 of planPack: the engine, target and toolchain. Throws UnknownProfileError (unknown engine
 * or token, or a token the engine has no build for) and UnsupportedTargetError (not in the platform
 * matrix), even for dry runs. A target that needs a runner of its own is refused; a dry run plans it
 * with that platform's native toolchain as a stand-in.
 */
export function planTarget(options: PackOptions, facts: PackFacts, refusals: Refusals): PackTarget {
  const engine = getEngineProfile(options.engine ?? "llama-cpp");
  const os: Os = options.os ?? facts.host.os;
  const arch: Arch = options.arch ?? facts.host.arch;
  const token = options.accel;
  const parsed = safeParseAcceleratorToken(token);
  if (!parsed.ok) throw new UnknownProfileError(parsed.error, "pass --accel with a token such as cpu, metal, cuda12, cuda13, rocm6, vulkan");
  if (!isSupportedPlatform(os, arch, token)) {
    throw new UnsupportedTargetError(
      `${token} packages are not built for ${os}-${arch}: the platform matrix does not allow it`,
      "pick another --accel, --os or --arch (`pnpm matrix --format table` lists every cell)",
    );
  }
  if (engine.tokens !== null && !engine.tokens.includes(token)) {
    throw new UnknownProfileError(`engine ${engine.id} has no ${token} build`, `pass --accel ${engine.tokens.join(" or ")}`);
  }
  const accelerator = getAcceleratorProfile(os, arch, token);
  const toolchain = toolchainFor(facts, { os, arch }, refusals);
  const standIn = engine.standIns?.[token] ?? null;
  return { engine, os, arch, token, family: parsed.value.accelerator, accelerator, toolchain, isCross: toolchain.id !== "native", standIn };
}

/** Native, a cross profile, or (dry runs only, after the refusal) a stand-in native runner of the target. */
function toolchainFor(facts: PackFacts, target: { os: Os; arch: Arch }, refusals: Refusals): ToolchainProfile {
  try {
    return selectToolchain(facts.host, target);
  } catch (error) {
    if (!(error instanceof NeedsNativeRunnerError)) throw error;
    refusals.refuse(error);
    return nativeToolchain(target);
  }
}
