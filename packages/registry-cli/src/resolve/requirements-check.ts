import { compareDottedVersions, dottedParts, type Requirements } from "@baiengine/schema";
import type { RuntimeFacts } from "./host-runtime-facts.js";

/** The requirement fields an index entry carries (a subset of the manifest's `requirements`). */
export type PackageRequirements = Pick<Requirements, "glibc" | "glibcxx" | "macosMin" | "cudaArchitectures">;

export interface UnmetRequirement {
  /** `glibc`, `glibcxx`, `macosMin` or `cudaArchitectures`. */
  requirement: keyof PackageRequirements;
  /** One line naming the requirement and the host's value. */
  message: string;
}

const below = (host: string, needed: string) => compareDottedVersions(host, needed) < 0;

/**
 * Whether a GPU of compute capability `cc` (`8.6`) runs code built for a CMake CUDA architecture
 * entry, or null when the entry does not say. `86-real` is SASS (runs on the same major with an
 * equal or higher minor: `90-real` does not run on 8.6), `86-virtual` is PTX (JIT-compiled on any
 * equal or higher capability), plain `86` is both; `90a` (architecture-specific features) runs only
 * on exactly 9.0; `100f` (family-specific, CUDA 12.9+) only within its major, equal or higher minor.
 * `all` and `all-major` include the highest virtual architecture (PTX for every newer GPU) and real
 * code for every supported major, so any GPU the toolkit supports runs them; `native` (the build
 * machine's GPUs) and anything else unreadable give null. Sources: NVIDIA's CUDA Compiler Driver
 * (nvcc) manual, "GPU Compilation" and "Virtual Architecture Feature List"; CMake's
 * CUDA_ARCHITECTURES property (suffixes `-real`/`-virtual`, the special values).
 */
export function runsOn(entry: string, cc: string): boolean | null {
  const value = entry.trim();
  if (value === "all" || value === "all-major") return true;
  const m = /^(?:sm_|compute_)?(\d+)([af]?)(?:-(real|virtual))?$/.exec(value);
  if (!m) return null;
  const arch = Number(m[1]);
  const [hostMajor = 0, hostMinor = 0] = dottedParts(cc);
  const host = hostMajor * 10 + hostMinor;
  const sameMajor = Math.floor(arch / 10) === hostMajor;
  if (m[2] === "a") return host === arch;
  if (m[2] === "f") return sameMajor && host >= arch;
  const sass = m[3] !== "virtual" && sameMajor && host >= arch;
  const ptx = m[3] !== "real" && host >= arch;
  return sass || ptx;
}

/** Whether any GPU runs any of the architectures; null when an entry cannot be judged (`native`) and none is known to run. */
function anyRuns(archs: readonly string[], capabilities: readonly string[]): boolean | null {
  const verdicts = archs.flatMap((a) => capabilities.map((cc) => runsOn(a, cc)));
  if (verdicts.includes(true)) return true;
  return verdicts.includes(null) ? null : false;
}

/**
 * The requirements the host does not meet, one line each; empty when it can run the package. A fact
 * the host does not know (no nvidia-smi compute capability, an architecture list that says `native`)
 * is not held against the package, except
 * glibc on Linux: a Linux host without glibc cannot run a package that needs it.
 */
export function unmetRequirements(req: PackageRequirements | undefined, os: string, host: RuntimeFacts): UnmetRequirement[] {
  if (!req) return [];
  const out: UnmetRequirement[] = [];
  if (req.glibc && os === "linux" && (host.glibc === null || below(host.glibc, req.glibc))) {
    out.push({ requirement: "glibc", message: `needs glibc ${req.glibc}, this host has ${host.glibc ?? "no glibc"}` });
  }
  if (req.glibcxx && os === "linux" && host.glibcxx !== null && below(host.glibcxx, req.glibcxx)) {
    out.push({ requirement: "glibcxx", message: `needs libstdc++ with GLIBCXX_${req.glibcxx}, this host's goes up to GLIBCXX_${host.glibcxx}` });
  }
  if (req.macosMin && os === "macos" && host.macosVersion !== null && below(host.macosVersion, req.macosMin)) {
    out.push({ requirement: "macosMin", message: `needs macOS ${req.macosMin} or later, this host runs ${host.macosVersion}` });
  }
  const archs = req.cudaArchitectures ?? [];
  if (archs.length > 0 && host.computeCapabilities.length > 0 && anyRuns(archs, host.computeCapabilities) === false) {
    out.push({ requirement: "cudaArchitectures", message: `built for CUDA architectures ${archs.join(";")}, this host's GPU is compute capability ${host.computeCapabilities.join(", ")}` });
  }
  return out;
}
