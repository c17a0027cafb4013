import { ARCH_VALUES, OS_VALUES } from "@baiengine/schema";
import { z } from "zod";

export const OsField = z.enum(OS_VALUES);
export const ArchField = z.enum(ARCH_VALUES);
export const PlatformField = z.strictObject({ os: OsField, arch: ArchField });
/** CMake `-D` defines: NAME → value. */
export const DefinesField = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a CMake variable name"), z.string());
export const NonEmpty = z.string().min(1);
/** A free-text note at the top of a data file (JSON has no comments). */
export const CommentField = z.string().optional();
