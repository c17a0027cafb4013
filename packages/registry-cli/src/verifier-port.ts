import type { Reporter } from "@baiengine/schema";
import {
  type ByteSource,
  describeFinding,
  type ExtractResult,
  errorFindings,
  extractPackage,
  extractRuntimePack,
  type Finding,
  PackageRejectedError,
  type ProbeFailure,
  type RuntimeExtractResult,
  Sha256MismatchError,
  type VerifyReport,
  verifyPackage,
} from "@baiengine/verifier";

/**
 * The part of @baiengine/verifier this CLI uses, behind one seam so the commands can be planned
 * and tested as data.
 */
export type { ByteSource, Finding, ProbeFailure };

/** The verifier's refusals, as classes with their facts: `findings`, and for a sha256 mismatch `expected`/`actual`. */
export { describeFinding, errorFindings, PackageRejectedError, Sha256MismatchError };

/** What the commands read from a verification: the verifier's own report, narrowed. */
export type PackageCheck = Pick<VerifyReport, "file" | "ok" | "findings" | "sha256" | "size" | "manifest"> & Partial<Pick<VerifyReport, "runtimeManifest" | "uncompressedSize">>;

export type ExtractedPackage = Pick<ExtractResult, "manifest" | "sha256" | "size" | "files">;

export type ExtractedRuntime = Pick<RuntimeExtractResult, "runtimeManifest" | "sha256" | "size" | "files">;

type ExtractOptions = { expectedSha256?: string; expectedFilename?: string; reporter?: Reporter };

export interface PackageVerifier {
  verify(file: string, options?: { expectedFilename?: string; reporter?: Reporter; signal?: AbortSignal }): Promise<PackageCheck>;
  /**
   * Throws PackageRejectedError (`findings`; Sha256MismatchError when the sha256 differs) when the
   * package is rejected, or the source's own error; removes what it wrote. `source`: a file, or a
   * ByteSource (a file or download read once, extracted as it arrives).
   */
  extract(source: string | ByteSource, dest: string, options?: ExtractOptions): Promise<ExtractedPackage>;
  /** `extract` for a runtime pack (`.bairuntime`). */
  extractRuntime(source: string | ByteSource, dest: string, options?: ExtractOptions): Promise<ExtractedRuntime>;
}

/** The verifier of @baiengine/verifier (one streaming pass: sha256, size, archive safety, manifest vs name). */
export const packageVerifier: PackageVerifier = {
  verify: (file, options) => verifyPackage(file, options),
  extract: (file, dest, options) => extractPackage(file, dest, options),
  extractRuntime: (file, dest, options) => extractRuntimePack(file, dest, options),
};
