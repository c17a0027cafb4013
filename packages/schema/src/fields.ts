import { z } from "zod";
import { ACCELERATOR_VALUES, ACCELERATORS, TOOLKIT_VERSION_PATTERN } from "./accelerator.js";
import { ENGINE_ID_PATTERN, VARIANT_PATTERN, VERSION_PATTERN, checkNamePart } from "./naming.js";
import { ARCH_VALUES, OS_VALUES } from "./platform.js";

/** Field schemas shared by engines.json and manifest.json. Messages say what was expected and what came. */
const got = (input: unknown) => JSON.stringify(input) ?? String(input);

const oneOf = (values: readonly string[]) => (iss: { input?: unknown }) => `expected one of ${values.join(", ")}, got ${got(iss.input)}`;

export const OsField = z.enum(OS_VALUES, { error: oneOf(OS_VALUES) });
export const ArchField = z.enum(ARCH_VALUES, { error: oneOf(ARCH_VALUES) });
export const AcceleratorField = z.enum(ACCELERATOR_VALUES, { error: oneOf(ACCELERATOR_VALUES) });

export const EngineIdField = z
  .string()
  .regex(ENGINE_ID_PATTERN, { error: (iss) => checkNamePart("engineId", String(iss.input)) ?? "invalid engine id" });
export const VersionField = z
  .string()
  .regex(VERSION_PATTERN, { error: (iss) => checkNamePart("version", String(iss.input)) ?? "invalid version" });
export const VariantField = z
  .string()
  .regex(VARIANT_PATTERN, { error: (iss) => checkNamePart("variant", String(iss.input)) ?? "invalid variant" });

export const AcceleratorVersionField = z.string().min(1).nullable();

export const ModelFormatsField = z
  .array(z.string().min(1))
  .min(1, { error: "expected at least one model format, e.g. [\"gguf\"]" });

export const Sha256Field = z
  .string()
  .regex(/^[0-9a-f]{64}$/, { error: (iss) => `expected 64 lowercase hex characters, got ${got(iss.input)}` });

export const SizeField = z
  .number({ error: (iss) => `expected a positive integer byte count, got ${got(iss.input)}` })
  .int({ error: (iss) => `expected a positive integer byte count, got ${got(iss.input)}` })
  .positive({ error: (iss) => `expected a positive integer byte count, got ${got(iss.input)}` });

/** A calendar date (`2026-04-26`), as the app's live registry writes `releaseDate`. */
export const ReleaseDateField = z.iso.date({ error: (iss) => `expected a date like "2026-04-26", got ${got(iss.input)}` });

/** Semantic version 2.0.0 (the regex recommended by semver.org). */
export const SEMVER_PATTERN =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export const SemverField = z
  .string()
  .regex(SEMVER_PATTERN, { error: (iss) => `expected a semantic version like "0.11.0", got ${got(iss.input)}` });

/**
 * Checks shared by package entries and manifests: a versioned accelerator (cuda, rocm) needs a
 * toolkit version whose major forms the file-name token.
 */
export function checkAcceleratorVersion(
  value: { accelerator: keyof typeof ACCELERATORS; acceleratorVersion: string | null },
  ctx: z.RefinementCtx,
): void {
  if (ACCELERATORS[value.accelerator].versioned) {
    if (value.acceleratorVersion === null || !TOOLKIT_VERSION_PATTERN.test(value.acceleratorVersion)) {
      ctx.addIssue({
        code: "custom",
        path: ["acceleratorVersion"],
        message: `${value.accelerator} needs its toolkit version (e.g. "12.4"), got ${got(value.acceleratorVersion)}`,
        input: value.acceleratorVersion,
      });
    }
  }
}


/**
 * A path inside the package: relative, forward slashes only, no `.`/`..` segments, no empty segments.
 */
export const RelativePathField = z.string().superRefine((value, ctx) => {
  const reason =
    value === ""
      ? "must not be empty"
      : value.startsWith("/") || /^[A-Za-z]:/.test(value)
        ? "must be relative to the package folder, not absolute"
        : value.includes("\\")
          ? "must use forward slashes, not backslashes"
          : value.split("/").some((s) => s === ".." || s === "." || s === "")
            ? "must not contain '.', '..' or empty segments"
            : null;
  if (reason) ctx.addIssue({ code: "custom", message: `${reason}, got ${got(value)}`, input: value });
});

export { got as formatGot };
