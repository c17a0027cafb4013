import type { Registry, Reporter } from "@baiengine/schema";
import type { Finding } from "./findings.js";
import { hasErrors } from "./findings.js";
import type { Limits } from "./limits.js";
import { type ScanResult, scanPackage } from "./scan.js";
import { runSmoke, type SmokeResult } from "./smoke.js";

export interface VerifyOptions {
  /** The name the package is shipped under; default: the file's base name. */
  expectedFilename?: string;
  registry?: Registry;
  smoke?: boolean;
  /** Smoke-run packages for other platforms through qemu/wine when installed. */
  emulate?: boolean;
  limits?: Partial<Limits>;
  reporter?: Reporter;
  signal?: AbortSignal;
}

/** What one scan found, for one file, plus the smoke run when asked for. */
export interface VerifyReport extends Pick<ScanResult, "findings" | "sha256" | "size" | "manifest" | "requirements" | "entries" | "uncompressedSize"> {
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
    requirements: scan.requirements,
    entries: scan.entries,
    uncompressedSize: scan.uncompressedSize,
  };
}

/** Verifies a package in one streaming pass (and, with `smoke`, runs its server binary). Never throws for bad input. */
export async function verifyPackage(file: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const scan = await scanPackage(file, options);
  const report = reportFromScan(file, scan, scan.findings);
  if (options.smoke) {
    if (!report.ok || !report.manifest) {
      report.smoke = { ran: false, skippedReason: "the package failed verification" };
    } else {
      const smoke = await runSmoke(file, report.manifest, options);
      report.smoke = smoke.result;
      report.findings.push(...smoke.findings);
      report.ok = !hasErrors(report.findings);
    }
  }
  return report;
}
