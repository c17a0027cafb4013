import type { Reporter } from "@baiengine/schema";
import { listEngineProfiles } from "@baiengine/packer";
import { describeFinding, errorFindings, type ExtractResult, extractPackage, type Finding, type VerifyReport, verifyPackage } from "@baiengine/verifier";

/**
 * The part of @baiengine/verifier and @baiengine/packer this CLI uses, behind one seam so the
 * commands can be planned and tested as data. The real implementations are loaded from those packages.
 */
export type { Finding };

/** What the commands read from a verification: the verifier's own report, narrowed. */
export type PackageCheck = Pick<VerifyReport, "file" | "ok" | "findings" | "sha256" | "size" | "manifest">;

export type ExtractedPackage = Pick<ExtractResult, "manifest" | "sha256" | "size" | "files">;

export interface PackageVerifier {
  verify(file: string, options?: { expectedFilename?: string; reporter?: Reporter; signal?: AbortSignal }): Promise<PackageCheck>;
  /** Throws an error with `findings` when the package is rejected; removes what it wrote. */
  extract(file: string, dest: string, options?: { expectedSha256?: string; expectedFilename?: string; reporter?: Reporter }): Promise<ExtractedPackage>;
}

export interface EngineMetadata {
  name: string;
  description: string;
  modelFormats: string[];
}

export { errorFindings, describeFinding as formatFinding };

/** The verifier of @baiengine/verifier (one streaming pass: sha256, size, archive safety, manifest vs name). */
export async function loadVerifier(): Promise<PackageVerifier> {
  return {
    verify: (file, options) => verifyPackage(file, options),
    extract: (file, dest, options) => extractPackage(file, dest, options),
  };
}

/** An engine's name, description and model formats from the packer's engine profiles, or null if unknown. */
export async function loadEngineMetadata(engineId: string): Promise<EngineMetadata | null> {
  const profile = listEngineProfiles().find((p) => p.id === engineId);
  return profile ? { name: profile.name, description: profile.description, modelFormats: [...profile.modelFormats] } : null;
}
