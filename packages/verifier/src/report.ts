import type { DeviceCheck } from "./devices/check-package-devices.js";
import { hasErrors, type Finding } from "./findings.js";
import type { ScanResult } from "./scan.js";

/** What a smoke run did: whether it ran, how, what it printed, or why it was skipped. */
export interface SmokeResult {
  ran: boolean;
  skippedReason?: string;
  output?: string;
  durationMs?: number;
  /** How it ran: "native", "qemu-aarch64", "wine". */
  runner?: string;
  /** Set when the verdict came from the output rather than the exit code (wine). */
  note?: string;
  /** The device probe after `--version` passed: the device found, or why it was skipped (`no CUDA device`). */
  devices?: DeviceCheck;
}

/** What one scan found, for one file, plus the smoke run when asked for. */
export interface VerifyReport extends Pick<ScanResult, "findings" | "sha256" | "size" | "manifest" | "runtimeManifest" | "requirements" | "runtimeLinks" | "entries" | "uncompressedSize"> {
  file: string;
  /** No error findings. */
  ok: boolean;
  smoke?: SmokeResult;
}

/** The report of one scan; `findings` may add to the scan's own (extraction's write errors). */
export function reportFromScan(file: string, scan: ScanResult, findings: Finding[]): VerifyReport {
  return {
    file,
    ok: !hasErrors(findings),
    findings,
    sha256: scan.sha256,
    size: scan.size,
    manifest: scan.manifest,
    runtimeManifest: scan.runtimeManifest,
    requirements: scan.requirements,
    runtimeLinks: scan.runtimeLinks,
    entries: scan.entries,
    uncompressedSize: scan.uncompressedSize,
  };
}
