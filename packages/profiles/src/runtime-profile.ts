import { RelativePathField } from "@baiengine/schema";
import { z } from "zod";
import { ArchField, CommentField, NonEmpty as Name, OsField } from "./fields.js";

const LibraryName = z.string().regex(/^[^/\\\s]+$/, { error: "expected a library file name without folders" });

/** How the toolkit's version is read: a JSON file's field, a text file's first match, or a library's real file name. */
export const VersionSource = z.union([
  z.strictObject({ json: RelativePathField, path: z.array(Name).min(1) }),
  z.strictObject({ text: RelativePathField, pattern: Name }),
  z.strictObject({ realNameOf: LibraryName, pattern: Name }),
]);
export type VersionSource = z.infer<typeof VersionSource>;

/** What a runtime carries on one OS. Folders are relative to the toolkit's root. */
export const RuntimePlatform = z.strictObject({
  os: OsField,
  arches: z.array(ArchField).min(1),
  /** What the engine's GPU backend links (ggml-cuda): the closure starts here unless the engine's binaries are read. */
  seeds: z.array(LibraryName).min(1),
  /** The engine module that links the seeds (`libggml-cuda.so`), named in refusals as what needs a missing seed. */
  seedsLinkedBy: LibraryName,
  /** Every library the vendor allows to redistribute; the closure may hold nothing else from the toolkit. */
  redistributable: z.array(LibraryName).min(1),
  /** Where the libraries lie under the toolkit's root, searched in order. */
  libraryDirs: z.array(RelativePathField).min(1),
  /** Folders beside the libraries that travel with them (rocBLAS's kernels: rocblas/library). */
  dataDirs: z.array(RelativePathField),
  /** Licence texts: the first `from` that exists is copied to `to` inside the pack. */
  licenses: z.array(z.strictObject({ from: z.array(RelativePathField).min(1), to: RelativePathField })).min(1),
  version: z.array(VersionSource).min(1),
});
export type RuntimePlatform = z.infer<typeof RuntimePlatform>;

export const RuntimeProfile = z.strictObject({
  id: Name,
  name: Name,
  description: Name,
  accelerator: z.enum(["cuda", "rocm"]),
  /** The toolkit's major version: the accelerator token's (`cuda13` → 13). */
  major: z.number().int().positive(),
  /**
   * Set on a runtime that only one engine's stand-in links (the hello fixture's stub runtime): its id
   * is `{engine}-{token}-runtime`, and the token's own runtime (`cuda13-runtime`) stays the one that
   * pack-runtime and resolution pick for the token.
   */
  engine: Name.optional(),
  platforms: z.array(RuntimePlatform).min(1),
});
export type RuntimeProfile = z.infer<typeof RuntimeProfile>;

export const RuntimesFile = z.strictObject({
  $comment: CommentField,
  profiles: z.array(RuntimeProfile).min(1),
});
