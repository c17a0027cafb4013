import { z } from "zod";
import { EngineIdField, formatGot, VersionField } from "./fields.js";
import { safeParseWith } from "./errors.js";

/**
 * The active record: `<engines-dir>/active.json`, which installed version of each engine the app
 * runs, per machine platform (`<os>-<arch>`). Written by the registry CLI (install, use, rollback,
 * remove, prune) as a whole new file renamed over the old one, so a reader always sees a complete
 * record. The app reads it and starts `<engines-dir>/<engine>/<version>/<platform>/<serverBinary>`.
 */

/** `<os>-<arch>-<accelerator token>[-variant]`: the folder of one installed platform. */
const PlatformFolderField = z.string().regex(/^[a-z0-9]+(-[a-z0-9_]+){2,}$/, { error: (iss) => `expected a platform folder like "linux-x86_64-cuda13", got ${formatGot(iss.input)}` });

/** One installed version and platform folder. */
export const ActiveChoice = z.looseObject({
  version: VersionField,
  platform: PlatformFolderField,
});
export type ActiveChoice = z.infer<typeof ActiveChoice>;

/** What is active for one engine on one `<os>-<arch>`. */
export const ActiveEntry = z.looseObject({
  version: VersionField,
  platform: PlatformFolderField,
  /** Set by `use <engine>@<version>` (and `rollback`): installs of newer versions do not move it until `use <engine>@latest`. */
  pinned: z.boolean(),
  /** The versions active before, most recent first (at most 10): what `rollback` and a forced `remove` go back to. */
  previous: z.array(ActiveChoice),
  /** When it last changed (ISO-8601 UTC). */
  since: z.string(),
  /** Why it is active: `first install`, `update`, `use`, `rollback`, `remove`. */
  reason: z.string(),
});
export type ActiveEntry = z.infer<typeof ActiveEntry>;

const OsArchKey = z.string().regex(/^[a-z0-9]+-[a-z0-9_]+$/, { error: (iss) => `expected an <os>-<arch> key like "linux-x86_64", got ${formatGot(iss.input)}` });

export const ActiveRecord = z.looseObject({
  format: z.literal(1, { error: (iss) => `expected 1, got ${formatGot(iss.input)}` }),
  /** How many versions `prune` keeps besides the active and pinned ones, per engine and platform (default 2); set by `prune --keep N --save`. */
  keep: z.number().int().nonnegative().optional(),
  /** engine id → `<os>-<arch>` → what is active. */
  engines: z.record(EngineIdField, z.record(OsArchKey, ActiveEntry)),
});
export type ActiveRecord = z.infer<typeof ActiveRecord>;

/** The record's file name in the engines folder. */
export const ACTIVE_RECORD_FILE = "active.json";

/** How many older versions prune keeps when neither `--keep` nor the record's `keep` says. */
export const DEFAULT_PRUNE_KEEP = 2;

export function safeParseActiveRecord(input: unknown) {
  return safeParseWith(ActiveRecord, input);
}
