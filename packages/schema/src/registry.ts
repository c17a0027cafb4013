import { z } from "zod";
import { acceleratorToken } from "./accelerator.js";
import {
  AcceleratorField,
  AcceleratorVersionField,
  ArchField,
  checkAcceleratorVersion,
  EngineIdField,
  formatGot,
  ModelFormatsField,
  OsField,
  ReleaseDateField,
  SemverField,
  Sha256Field,
  SizeField,
  VariantField,
  VersionField,
} from "./fields.js";
import { formatPackageFilename, PackageFilenameError, packageFilenameStyle } from "./naming.js";
import { RuntimeEntry, RuntimeIdField } from "./runtime.js";
import { formatRuntimeFilename, safeParseRuntimeFilename } from "./runtime-naming.js";

/**
 * What a machine needs to run a package (extension of the design, optional): copied by the registry
 * CLI's `update` from the manifest's `requirements`, so that an app can skip a package the host cannot
 * run without downloading it. Versions are dotted numbers (`2.39`, `3.4.30`, `13.3`); CUDA
 * architectures are CMake CUDA_ARCHITECTURES entries (`86`, `90a`, `120-real`, `75-virtual`).
 */
export const EntryRequirements = z.looseObject({
  /** Lowest glibc the package's binaries run with (their highest GLIBC_ symbol version). */
  glibc: z.string().optional(),
  /** Lowest libstdc++ symbol version (GLIBCXX_) they need. */
  glibcxx: z.string().optional(),
  /** Lowest macOS version (the binaries' minimum OS version). */
  macosMin: z.string().optional(),
  /** GPU architectures the device code was built for. */
  cudaArchitectures: z.array(z.string()).optional(),
});
export type EntryRequirements = z.infer<typeof EntryRequirements>;

/** One downloadable package of an engine version (engines.json `engines[].packages[]`). */
export const PackageEntry = z
  .looseObject({
    os: OsField,
    arch: ArchField,
    accelerator: AcceleratorField,
    acceleratorVersion: AcceleratorVersionField,
    variant: VariantField.optional(),
    filename: z.string().min(1),
    size: SizeField,
    sha256: Sha256Field,
    /**
     * Bytes the package takes once extracted (extension, optional): its tar stream's length, an upper
     * bound of what extraction writes; set by `update`, read by install's disk-space check.
     */
    installedSize: SizeField.optional(),
    /** The runtime pack this package needs (extension): the id of a `runtimes[]` entry, copied from its manifest. */
    runtime: RuntimeIdField.optional(),
    requirements: EntryRequirements.optional(),
  })
  .superRefine(checkAcceleratorVersion);
export type PackageEntry = z.infer<typeof PackageEntry>;

/**
 * A pre-release of an engine (extension of the design, optional): its own version and packages.
 * Apps that do not know it keep using `latestVersion` and `packages`, which a pre-release never touches.
 */
export const PrereleaseEntry = z.looseObject({
  version: VersionField,
  releaseDate: ReleaseDateField.optional(),
  packages: z.array(PackageEntry),
});
export type PrereleaseEntry = z.infer<typeof PrereleaseEntry>;

/** A release channel's name (`stable`, `prerelease`, `beta`, `nightly`): lowercase letters, digits and dashes. */
export const ChannelField = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, { error: (iss) => `expected a channel name like "stable" or "beta" (lowercase letters, digits, dashes), got ${formatGot(iss.input)}` });

/** The channel a version without `channel` belongs to. */
export const DEFAULT_CHANNEL = "stable";

/** Why a version must not be installed any more (extension): it stays listed, and installs only when asked for by exact version. */
export const YankedEntry = z.looseObject({
  reason: z.string().min(1, { error: "a yanked version needs a reason" }),
  /** The UTC day it was yanked. */
  date: ReleaseDateField.optional(),
});
export type YankedEntry = z.infer<typeof YankedEntry>;

/**
 * One published version of an engine (extension of the design, optional, in `engines[].versions[]`):
 * the index's history, so an older version can be installed again. The newest stable version is also
 * the engine's `latestVersion`/`packages` (the design's place, which apps that do not know `versions`
 * read); the newest `prerelease` one is also `prerelease`.
 */
export const VersionEntry = z.looseObject({
  version: VersionField,
  /** Absent: `stable`. */
  channel: ChannelField.optional(),
  releaseDate: ReleaseDateField.optional(),
  minAppVersion: SemverField.optional(),
  packages: z.array(PackageEntry),
  yanked: YankedEntry.optional(),
});
export type VersionEntry = z.infer<typeof VersionEntry>;

export const EngineEntry = z.looseObject({
  id: EngineIdField,
  name: z.string().min(1),
  description: z.string(),
  latestVersion: VersionField,
  /** When `latestVersion` was published (extension, optional; set by `update`, never by a rewrite). */
  releaseDate: ReleaseDateField.optional(),
  /** Oldest app that runs this version: the highest `minAppVersion` of its packages' manifests (extension, optional). */
  minAppVersion: SemverField.optional(),
  modelFormats: ModelFormatsField,
  packages: z.array(PackageEntry),
  prerelease: PrereleaseEntry.optional(),
  /** Every published version, oldest first (extension, optional; written by `update`, see `VersionEntry`). */
  versions: z.array(VersionEntry).optional(),
});
export type EngineEntry = z.infer<typeof EngineEntry>;

export const BaseUrlField = z
  // abort: a URL of another scheme is one issue, not also "without a trailing slash".
  .url({ protocol: /^https?$/, abort: true, error: (iss) => `expected an http(s) URL, got ${formatGot(iss.input)}` })
  .regex(/^https?:\/\/\S*[^/\s]$/, { error: (iss) => `must be an http(s) URL without a trailing slash, got ${formatGot(iss.input)}` });

/** ISO-8601 timestamp in UTC (`2025-01-10T00:00:00Z`). */
export const UtcTimestampField = z.iso.datetime({
  error: (iss) => `expected an ISO-8601 UTC timestamp like "2025-01-10T00:00:00Z", got ${formatGot(iss.input)}`,
});

/** engines.json. Unknown fields at any level are kept (loose objects) so rewrites lose nothing. */
export const Registry = z
  .looseObject({
    schemaVersion: z.literal(1, { error: (iss) => `expected 1, got ${formatGot(iss.input)}` }),
    lastUpdated: UtcTimestampField,
    baseUrl: BaseUrlField,
    engines: z.array(EngineEntry),
    /** GPU runtime packs shared by engine packages (extension; absent in the design's indexes). */
    runtimes: z.array(RuntimeEntry).optional(),
  })
  .superRefine((registry, ctx) => {
    const seenIds = new Map<string, number>();
    registry.engines.forEach((engine, e) => {
      const first = seenIds.get(engine.id);
      if (first !== undefined) {
        ctx.addIssue({ code: "custom", path: ["engines", e, "id"], message: `duplicate engine id ${formatGot(engine.id)} (also engines[${first}])`, input: engine.id });
      } else {
        seenIds.set(engine.id, e);
      }
      checkPackages(engine.id, engine.latestVersion, engine.packages, ["engines", e, "packages"], ctx);
      if (engine.prerelease) {
        checkPackages(engine.id, engine.prerelease.version, engine.prerelease.packages, ["engines", e, "prerelease", "packages"], ctx);
      }
      checkVersions(engine, ["engines", e, "versions"], ctx);
    });
    checkRuntimes(registry.runtimes ?? [], ctx);
    checkRuntimeEdges(registry, ctx);
  });
export type Registry = z.infer<typeof Registry>;

/** Platform key of a package: os, arch, accelerator token and variant (`linux-x86_64-cuda12`). */
export function platformKey(p: Pick<PackageEntry, "os" | "arch" | "accelerator" | "acceleratorVersion" | "variant">): string {
  let token: string;
  try {
    token = acceleratorToken(p.accelerator, p.acceleratorVersion);
  } catch {
    token = `${p.accelerator}?`;
  }
  return [p.os, p.arch, token, p.variant].filter((x) => x !== undefined).join("-");
}

/**
 * The file name a package entry of `engineId` at `version` must have, spelled in the style its
 * current file name uses (`darwin-arm64` stays so: published names are never changed).
 */
export function expectedPackageFilename(engineId: string, version: string, p: PackageEntry): string {
  return formatPackageFilename({
    style: packageFilenameStyle(p.filename) ?? "design",
    engineId,
    version,
    os: p.os,
    arch: p.arch,
    acceleratorToken: acceleratorToken(p.accelerator, p.acceleratorVersion),
    ...(p.variant !== undefined ? { variant: p.variant } : {}),
  });
}

function checkPackages(engineId: string, version: string, packages: PackageEntry[], path: (string | number)[], ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  packages.forEach((p, k) => {
    let expected: string | null = null;
    try {
      expected = expectedPackageFilename(engineId, version, p);
    } catch (error) {
      // The field-level issue (missing toolkit version, bad id) is reported already.
      if (!(error instanceof PackageFilenameError) && !(error instanceof Error)) throw error;
    }
    if (expected !== null && p.filename !== expected) {
      ctx.addIssue({ code: "custom", path: [...path, k, "filename"], message: `expected ${formatGot(expected)} (from the engine id, version and platform fields), got ${formatGot(p.filename)}`, input: p.filename });
    }
    const key = platformKey(p);
    const first = seen.get(key);
    if (first !== undefined) {
      ctx.addIssue({ code: "custom", path: [...path, k], message: `platform ${key} is listed twice (also packages[${first}])`, input: p });
    } else {
      seen.set(key, k);
    }
  });
}

/** Each version of `versions[]` once, its packages named after that version, the latest's channel stable. */
function checkVersions(engine: EngineEntry, path: (string | number)[], ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  (engine.versions ?? []).forEach((v, k) => {
    const first = seen.get(v.version);
    if (first !== undefined) {
      ctx.addIssue({ code: "custom", path: [...path, k, "version"], message: `version ${formatGot(v.version)} is listed twice (also versions[${first}])`, input: v.version });
    } else {
      seen.set(v.version, k);
    }
    checkPackages(engine.id, v.version, v.packages, [...path, k, "packages"], ctx);
    const channel = v.channel ?? DEFAULT_CHANNEL;
    if (v.version === engine.latestVersion && channel !== DEFAULT_CHANNEL) {
      ctx.addIssue({ code: "custom", path: [...path, k, "channel"], message: `version ${formatGot(v.version)} is the engine's latestVersion, so its channel is stable, got ${formatGot(channel)}`, input: v.channel });
    }
  });
}

function checkRuntimes(runtimes: RuntimeEntry[], ctx: z.RefinementCtx): void {
  const seenIds = new Map<string, number>();
  runtimes.forEach((runtime, r) => {
    const first = seenIds.get(runtime.id);
    if (first !== undefined) {
      ctx.addIssue({ code: "custom", path: ["runtimes", r, "id"], message: `duplicate runtime id ${formatGot(runtime.id)} (also runtimes[${first}])`, input: runtime.id });
    } else {
      seenIds.set(runtime.id, r);
    }
    const seen = new Map<string, number>();
    runtime.packages.forEach((p, k) => {
      checkRuntimeFilename(runtime, p, ["runtimes", r, "packages", k, "filename"], ctx);
      const key = `${p.os}-${p.arch}`;
      const firstAt = seen.get(key);
      if (firstAt !== undefined) {
        ctx.addIssue({ code: "custom", path: ["runtimes", r, "packages", k], message: `platform ${key} is listed twice (also packages[${firstAt}])`, input: p });
      } else {
        seen.set(key, k);
      }
    });
  });
}

/** Every engine package that names a runtime finds that runtime in `runtimes[]`, for its own os and arch. */
function checkRuntimeEdges(registry: { engines: EngineEntry[]; runtimes?: RuntimeEntry[] | undefined }, ctx: z.RefinementCtx): void {
  const platforms = new Map((registry.runtimes ?? []).map((r) => [r.id, new Set(r.packages.map((p) => `${p.os}-${p.arch}`))]));
  const check = (packages: PackageEntry[], path: (string | number)[]) => {
    packages.forEach((p, k) => {
      if (p.runtime === undefined) return;
      const have = platforms.get(p.runtime);
      const reason =
        have === undefined
          ? `needs runtime ${formatGot(p.runtime)}, which runtimes[] does not list`
          : have.has(`${p.os}-${p.arch}`)
            ? null
            : `needs runtime ${formatGot(p.runtime)} for ${p.os}-${p.arch}, which runtimes[] has only for ${[...have].join(", ") || "no platform"}`;
      if (reason) ctx.addIssue({ code: "custom", path: [...path, k, "runtime"], message: reason, input: p.runtime });
    });
  };
  registry.engines.forEach((engine, e) => {
    check(engine.packages, ["engines", e, "packages"]);
    if (engine.prerelease) check(engine.prerelease.packages, ["engines", e, "prerelease", "packages"]);
    (engine.versions ?? []).forEach((v, k) => {
      check(v.packages, ["engines", e, "versions", k, "packages"]);
    });
  });
}

/**
 * A runtime pack's file name names the runtime and the entry's platform (in either spelling; a
 * published name keeps its own). Its version is the toolkit's: a pack published by this project has
 * `latestVersion` equal to it, but the app's live registry versions runtimes on its own calendar
 * (`latestVersion` 26.2.26 for `cuda13-runtime-13.1.0-win32-x64.bairuntime`), so they are not compared.
 */
function checkRuntimeFilename(runtime: RuntimeEntry, p: RuntimeEntry["packages"][number], path: (string | number)[], ctx: z.RefinementCtx): void {
  const parsed = safeParseRuntimeFilename(p.filename);
  if (!parsed.ok) {
    ctx.addIssue({ code: "custom", path, message: parsed.error.message, input: p.filename });
    return;
  }
  const n = parsed.value;
  if (n.runtimeId === runtime.id && n.os === p.os && n.arch === p.arch) return;
  let expected: string;
  try {
    expected = formatRuntimeFilename({ runtimeId: runtime.id, version: n.version, os: p.os, arch: p.arch, style: n.style });
  } catch {
    return; // the field-level issue (a bad id) is reported already
  }
  ctx.addIssue({ code: "custom", path, message: `expected ${formatGot(expected)} (from the runtime id and platform fields), got ${formatGot(p.filename)}`, input: p.filename });
}
