import type { Arch, Os } from "@baiengine/schema";
import { z } from "zod";
import { ArchField, CommentField, DefinesField, NonEmpty, OsField } from "./fields.js";

/** The toolkit an accelerator needs at build time: how to find it and how to install it. */
export const Toolkit = z.strictObject({
  /** Tool probed on PATH (nvcc, hipcc, glslc, xcrun). */
  probe: NonEmpty,
  /** One line that says what to install. */
  install: NonEmpty,
  /** Major version the token demands (cuda12 → 12); null when any version will do. */
  major: z.number().int().positive().nullable(),
  /** Whether the toolkit's version is the manifest's acceleratorVersion (cuda, rocm). */
  versioned: z.boolean(),
});
export type Toolkit = z.infer<typeof Toolkit>;

const Reasons = z.record(z.string(), NonEmpty);

/** A profile as written in data/accelerators.json: shared define sets and GPU target lists are named, not repeated. */
const AcceleratorData = z.strictObject({
  os: OsField,
  arch: ArchField,
  /** File-name token: cpu, metal, cuda12, cuda13, rocm6, vulkan. */
  token: NonEmpty,
  /** Names of `defineSets` applied first, in order. */
  defineSets: z.array(NonEmpty).optional(),
  /** ggml CMake defines, after upstream's release workflow (.github/workflows/release.yml). */
  cmakeDefines: DefinesField,
  /** Why a define differs from (or follows) upstream, where it is not obvious. */
  defineReasons: Reasons,
  /** GPU code built into the package: a named list of `gpuTargetLists`, set (`;`-joined) as each of `defines`. */
  gpuTargets: z.strictObject({ list: NonEmpty, defines: z.array(NonEmpty).min(1) }).optional(),
  toolkit: Toolkit.nullable(),
});

export const AcceleratorsFile = z.strictObject({
  $comment: CommentField,
  defineSets: z.record(z.string(), z.strictObject({ defines: DefinesField, reasons: Reasons })),
  gpuTargetLists: z.record(z.string(), z.array(NonEmpty).min(1)),
  profiles: z.array(AcceleratorData).min(1),
});
export type AcceleratorsFile = z.infer<typeof AcceleratorsFile>;

/** A resolved accelerator profile: define sets and GPU target lists expanded. */
export interface AcceleratorProfile {
  os: Os;
  arch: Arch;
  token: string;
  /** Every define: the define sets', then the profile's own, then the GPU target lists. */
  cmakeDefines: Record<string, string>;
  defineReasons: Record<string, string>;
  toolkit: Toolkit | null;
  /** GPU code built into the package (CUDA architectures, AMDGPU targets), for the manifest: `define` is the one recorded. */
  gpuTargets?: { define: string; list: string[] };
}
