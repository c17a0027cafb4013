import type { Platform } from "@baiengine/schema";
import { z } from "zod";
import { CommentField, NonEmpty, PlatformField } from "./fields.js";

const Strip = z.strictObject({ tool: NonEmpty, args: z.array(NonEmpty) });

/** A cross toolchain as written in data/toolchains.json (header fixes name a file under data/). */
const CrossData = z.strictObject({
  id: NonEmpty,
  host: PlatformField,
  target: PlatformField,
  cc: NonEmpty,
  cxx: NonEmpty,
  rc: NonEmpty.optional(),
  strip: Strip,
  sysroot: NonEmpty.optional(),
  cmakeSystem: z.strictObject({ name: z.enum(["Linux", "Windows", "Darwin"]), processor: NonEmpty }).optional(),
  bundlesRuntimeFromCompiler: z.boolean(),
  debianPackages: z.array(NonEmpty).min(1),
  headerFixes: z.array(z.strictObject({ file: NonEmpty, contentFile: NonEmpty, reason: NonEmpty })).optional(),
  emulator: z.strictObject({ command: NonEmpty, args: z.array(NonEmpty), debianPackages: z.array(NonEmpty) }).optional(),
  notes: z.array(NonEmpty),
});

export const ToolchainsFile = z.strictObject({
  $comment: CommentField,
  /** The host's own compilers (CMake's defaults): strip flags per host OS (`default` for the others). */
  native: z.strictObject({
    strip: z.strictObject({ default: Strip, linux: Strip.optional(), macos: Strip.optional(), windows: Strip.optional() }),
    debianPackages: z.array(NonEmpty),
    notes: z.array(NonEmpty),
    bundlesRuntimeFromCompiler: z.boolean(),
  }),
  cross: z.array(CrossData),
});
export type ToolchainsFile = z.infer<typeof ToolchainsFile>;

/** How to build for `target` on `host`: compilers, sysroot, CMake system settings and runtime libraries. */
export interface ToolchainProfile {
  id: string;
  host: Platform;
  target: Platform;
  /** Compilers to use; null = CMake's default (native builds). */
  cc: string | null;
  cxx: string | null;
  /** Resource compiler for Windows targets. */
  rc?: string;
  /** Strip tool for the target's binaries and its flags. */
  strip: { tool: string; args: string[] };
  /** Root of the target's headers and libraries (CMAKE_FIND_ROOT_PATH, qemu -L). */
  sysroot?: string;
  /** CMake system settings written into the generated toolchain file (cross only). */
  cmakeSystem?: { name: "Linux" | "Windows" | "Darwin"; processor: string };
  /**
   * Target runtime libraries the binaries may import that must ship beside them (mingw's
   * libstdc++-6.dll, libgcc_s_seh-1.dll, libwinpthread-1.dll): found in the compiler's library
   * search folders by reading the binaries' imports, never from a fixed list.
   */
  bundlesRuntimeFromCompiler: boolean;
  /** Debian packages that provide this toolchain (printed when it is missing). */
  debianPackages: string[];
  /**
   * Corrections of the toolchain's own headers, generated into the build folder and put first on
   * the compilers' system include path through CPLUS_INCLUDE_PATH/C_INCLUDE_PATH (an environment
   * variable rather than a flag, so configured compile commands and cached objects stay valid; the
   * compilers' depfiles still track the generated headers). Each includes the original with
   * #include_next and redefines what is broken. `content` is read from data/<contentFile>.
   */
  headerFixes?: { file: string; content: string; reason: string }[];
  /** How to run the target's binaries here (for smoke tests), when an emulator exists. */
  emulator?: { command: string; args: string[]; debianPackages: string[] };
  notes: string[];
}
