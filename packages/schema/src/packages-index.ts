import { z } from "zod";
import { safeParseAcceleratorToken } from "./accelerator.js";
import { AcceleratorVersionField, EngineIdField, formatGot, ReleaseDateField, SemverField, VersionField } from "./fields.js";
import { safeParsePackageFilename } from "./naming.js";
import { archFromNode, osFromNode } from "./platform.js";
import { BaseUrlField, UtcTimestampField } from "./registry.js";
import { RuntimePackageEntry } from "./runtime.js";
import { parseRuntimeFilename } from "./runtime-naming.js";

/**
 * packages.json: the index the Backend.AI GO app reads today, from
 * github.com/lablup/backend.ai-go-engine-registry (an evolution of the design's engines.json). It
 * spells platforms as Node does (`darwin`/`linux`/`win32`, `arm64`/`x64`), puts one version per
 * engine under `latest`, writes the accelerator as its file-name token (`cuda13`) and keeps
 * hardware variants in the file name only. Every historical shape is accepted: package entries with
 * and without `acceleratorVersion` (always null there), files with and without `runtimes`.
 */
const nodeValues = (values: readonly string[]) => (iss: { input?: unknown }) => `expected one of ${values.join(", ")}, got ${formatGot(iss.input)}`;
export const NODE_OS_VALUES = ["darwin", "linux", "win32"] as const;
export const NODE_ARCH_VALUES = ["arm64", "x64"] as const;
export const NodeOsField = z.enum(NODE_OS_VALUES, { error: nodeValues(NODE_OS_VALUES) });
export const NodeArchField = z.enum(NODE_ARCH_VALUES, { error: nodeValues(NODE_ARCH_VALUES) });

export const AcceleratorTokenField = z.string().refine((t) => safeParseAcceleratorToken(t).ok, {
  error: (iss) => (safeParseAcceleratorToken(String(iss.input)) as { error: string }).error,
});

/** A runtime pack file: engines.json's runtime pack entry with Node's platform names. */
export const LiveRuntimePackageEntry = RuntimePackageEntry.extend({ os: NodeOsField, arch: NodeArchField });
export type LiveRuntimePackageEntry = z.infer<typeof LiveRuntimePackageEntry>;

/** An engine package: a runtime pack's fields plus the accelerator token (and, before 2026-04, `acceleratorVersion: null`). */
export const LivePackageEntry = LiveRuntimePackageEntry.extend({
  accelerator: AcceleratorTokenField,
  acceleratorVersion: AcceleratorVersionField.optional(),
});
export type LivePackageEntry = z.infer<typeof LivePackageEntry>;

export const LiveEngineEntry = z.looseObject({
  id: EngineIdField,
  name: z.string().min(1),
  description: z.string(),
  supportedFormats: z.array(z.string().min(1)).min(1),
  platforms: z.array(NodeOsField),
  latest: z.looseObject({
    version: VersionField,
    releaseDate: ReleaseDateField,
    minAppVersion: SemverField.optional(),
    packages: z.array(LivePackageEntry),
  }),
});
export type LiveEngineEntry = z.infer<typeof LiveEngineEntry>;

export const LiveRuntimeEntry = z.looseObject({
  id: EngineIdField,
  name: z.string().min(1),
  description: z.string(),
  category: z.string().min(1).optional(),
  platforms: z.array(NodeOsField),
  latest: z.looseObject({
    version: VersionField,
    releaseDate: ReleaseDateField,
    packages: z.array(LiveRuntimePackageEntry),
  }),
});
export type LiveRuntimeEntry = z.infer<typeof LiveRuntimeEntry>;

export const PackagesIndex = z
  .looseObject({
    schemaVersion: z.literal(1, { error: (iss) => `expected 1, got ${formatGot(iss.input)}` }),
    lastUpdated: UtcTimestampField,
    baseUrl: BaseUrlField,
    engines: z.array(LiveEngineEntry),
    runtimes: z.array(LiveRuntimeEntry).optional(),
  })
  .superRefine((index, ctx) => {
    for (const [e, engine] of index.engines.entries()) checkLiveEngine(engine, ["engines", e], ctx);
    for (const [r, runtime] of (index.runtimes ?? []).entries()) checkLiveRuntime(runtime, ["runtimes", r], ctx);
  });
export type PackagesIndex = z.infer<typeof PackagesIndex>;

type Path = (string | number)[];
const issue = (ctx: z.RefinementCtx, path: Path, message: string, input: unknown) => ctx.addIssue({ code: "custom", path, message, input });

/** Each file name names the engine, `latest.version` and the entry's platform and accelerator; each os is in `platforms`. */
function checkLiveEngine(engine: LiveEngineEntry, path: Path, ctx: z.RefinementCtx): void {
  engine.latest.packages.forEach((p, k) => {
    const at = [...path, "latest", "packages", k];
    if (!engine.platforms.includes(p.os)) issue(ctx, [...path, "platforms"], `lists no ${p.os}, but packages[${k}] is for it`, engine.platforms);
    const parsed = safeParsePackageFilename(p.filename);
    if (!parsed.ok) {
      issue(ctx, [...at, "filename"], parsed.error.message, p.filename);
      return;
    }
    const n = parsed.value;
    const wrong = [
      n.engineId !== engine.id && `engine ${formatGot(n.engineId)}`,
      n.version !== engine.latest.version && `version ${formatGot(n.version)}`,
      (n.os !== osFromNode(p.os) || n.arch !== archFromNode(p.arch)) && `platform ${n.os}-${n.arch}`,
      n.acceleratorToken !== p.accelerator && `accelerator ${formatGot(n.acceleratorToken)}`,
    ].filter((w): w is string => typeof w === "string");
    if (wrong.length > 0) issue(ctx, [...at, "filename"], `names ${wrong.join(", ")}; the entry says ${engine.id} ${engine.latest.version} ${p.os}-${p.arch} ${p.accelerator}`, p.filename);
  });
}

/** Runtime file names carry the toolkit's version, which may differ from `latest.version`: only id and platform are checked. */
function checkLiveRuntime(runtime: LiveRuntimeEntry, path: Path, ctx: z.RefinementCtx): void {
  runtime.latest.packages.forEach((p, k) => {
    const at = [...path, "latest", "packages", k, "filename"];
    if (!runtime.platforms.includes(p.os)) issue(ctx, [...path, "platforms"], `lists no ${p.os}, but packages[${k}] is for it`, runtime.platforms);
    let name: ReturnType<typeof parseRuntimeFilename>;
    try {
      name = parseRuntimeFilename(p.filename);
    } catch (error) {
      issue(ctx, at, (error as Error).message, p.filename);
      return;
    }
    if (name.runtimeId !== runtime.id || name.os !== osFromNode(p.os) || name.arch !== archFromNode(p.arch)) {
      issue(ctx, at, `names ${name.runtimeId} ${name.os}-${name.arch}; the entry says ${runtime.id} ${p.os}-${p.arch}`, p.filename);
    }
  });
}
