import { hostHasDevice } from "@baiengine/verifier";
import type { HostFacts } from "./host-facts.js";

/**
 * Whether `resolve` may choose a vulkan package on a host, with the one-line reason. Only a hardware
 * Vulkan device that `vulkaninfo --summary` lists counts: a software renderer (Mesa's llvmpipe or
 * lavapipe) is no reason to leave the cpu package, and neither is a loader alone. A loader whose
 * devices cannot be listed (vulkaninfo absent, or failing) may have nothing but a software renderer
 * behind it, so cpu stays the choice there and vulkan is taken only on request (`--accel vulkan`).
 */
export function vulkanChoice(host: Pick<HostFacts, "os" | "vulkanLoader" | "devices">): { usable: boolean; why: string } {
  const found = hostHasDevice(host.devices, "vulkan");
  if (found.has || host.devices.vulkan !== null) return { usable: found.has, why: found.why };
  if (!host.vulkanLoader) return { usable: false, why: "no Vulkan loader" };
  const problem = host.devices.vulkanProblem ?? "vulkaninfo not found";
  const fix = problem === "vulkaninfo not found" ? `install vulkaninfo (${host.os === "windows" ? "the Vulkan SDK" : "vulkan-tools"}) to let resolve list them, or ` : "";
  return { usable: false, why: `a Vulkan loader is installed but its devices cannot be listed (${problem}); ${fix}pass --accel vulkan to take it anyway` };
}
