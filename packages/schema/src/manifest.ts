import { z } from "zod";
import { acceleratorToken } from "./accelerator.js";
import {
  AcceleratorField,
  AcceleratorVersionField,
  ArchField,
  checkAcceleratorVersion,
  EngineIdField,
  formatGot,
  RelativePathField,
  ModelFormatsField,
  OsField,
  SemverField,
  VariantField,
  VersionField,
} from "./fields.js";
import { type PackageName, formatPackageFilename } from "./naming.js";
import { RuntimeRequirement } from "./runtime.js";

/** Optional build facts (extension of the design): how the package was made. */
export const BuildFacts = z.looseObject({
  sourceRepository: z.string().optional(),
  sourceCommit: z.string().optional(),
  /** The npm package the source was taken from (`nodejs-whisper@0.3.1`), when it came from one. */
  sourcePackage: z.string().optional(),
  sourceDate: z.string().optional(),
  /** Which rule chose sourceDate (the archive entries' time): `SOURCE_DATE_EPOCH`, `git-commit`, `npm-publish-time` or `newest-source-file`. */
  sourceDateFrom: z.string().optional(),
  cmakeDefines: z.record(z.string(), z.string()).optional(),
  compiler: z.string().optional(),
  toolchain: z.string().optional(),
  generator: z.string().optional(),
  packer: z.string().optional(),
});
export type BuildFacts = z.infer<typeof BuildFacts>;

/** Optional requirements (extension of the design): what a machine needs to run the package. */
export const Requirements = z.looseObject({
  glibc: z.string().optional(),
  glibcxx: z.string().optional(),
  macosMin: z.string().optional(),
  cudaArchitectures: z.array(z.string()).optional(),
  /** Libraries the package needs but does not bundle, beyond the OS base (e.g. the CUDA runtime). */
  systemLibraries: z.array(z.string()).optional(),
});
export type Requirements = z.infer<typeof Requirements>;

/** manifest.json, as in the design, plus optional `variant`, `build`, `requirements` and `runtime`. */
export const Manifest = z
  .looseObject({
    engineId: EngineIdField,
    version: VersionField,
    accelerator: AcceleratorField,
    acceleratorVersion: AcceleratorVersionField,
    variant: VariantField.optional(),
    os: OsField,
    arch: ArchField,
    serverBinary: RelativePathField,
    modelFormats: ModelFormatsField,
    minAppVersion: SemverField,
    build: BuildFacts.optional(),
    requirements: Requirements.optional(),
    /** The runtime pack the package needs (extension): derived by the packer from the sonames its binaries link. */
    runtime: RuntimeRequirement.optional(),
  })
  .superRefine((m, ctx) => {
    checkAcceleratorVersion(m, ctx);
    const isExe = m.serverBinary.toLowerCase().endsWith(".exe");
    if (m.os === "windows" && !isExe) {
      ctx.addIssue({ code: "custom", path: ["serverBinary"], message: `must end in .exe on windows, got ${formatGot(m.serverBinary)}`, input: m.serverBinary });
    } else if (m.os !== "windows" && isExe) {
      ctx.addIssue({ code: "custom", path: ["serverBinary"], message: `must not end in .exe on ${m.os}, got ${formatGot(m.serverBinary)}`, input: m.serverBinary });
    }
  });
export type Manifest = z.infer<typeof Manifest>;

/** The file-name parts a manifest stands for. */
export function manifestPackageName(m: Manifest): PackageName {
  return {
    engineId: m.engineId,
    version: m.version,
    os: m.os,
    arch: m.arch,
    acceleratorToken: acceleratorToken(m.accelerator, m.acceleratorVersion),
    ...(m.variant !== undefined ? { variant: m.variant } : {}),
  };
}

/** The package file name a manifest must be shipped under. */
export function manifestFilename(m: Manifest): string {
  return formatPackageFilename(manifestPackageName(m));
}
