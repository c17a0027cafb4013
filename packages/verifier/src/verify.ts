import type { Registry, Reporter, RuntimeManifest } from "@baiengine/schema";
import { hasErrors } from "./findings.js";
import type { Limits } from "./limits.js";
import { reportFromScan, type VerifyReport } from "./report.js";
import { checkRuntimeCoverage } from "./rules/runtime-coverage.js";
import { scanPackage } from "./scan.js";
import { runSmoke } from "./smoke.js";
import type { SmokeDeviceOptions } from "./smoke-devices.js";
import type { Smoke } from "@baiengine/profiles";

export type { SmokeResult, VerifyReport } from "./report.js";

/** With `smoke`, also the device probe's data (SmokeDeviceOptions: engine id → probe, this host's GPUs). */
export interface VerifyOptions extends SmokeDeviceOptions {
  /** The name the package is shipped under; default: the file's base name. */
  expectedFilename?: string;
  registry?: Registry;
  smoke?: boolean;
  /** Smoke-run packages for other platforms through qemu/wine when installed. */
  emulate?: boolean;
  limits?: Partial<Limits>;
  /** The runtime pack the engine package is to be installed with (its verified manifest): it must serve the package (checkRuntimeCoverage). */
  runtime?: RuntimeManifest;
  reporter?: Reporter;
  signal?: AbortSignal;
  /** With `smoke`: engine id → its profile's smoke; engines not named get `--version` (DEFAULT_SMOKE). */
  smokes?: Readonly<Record<string, Smoke>>;
}

/** Verifies a package in one streaming pass (and, with `smoke`, runs its server binary). Never throws for bad input. */
export async function verifyPackage(file: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const scan = await scanPackage(file, options);
  const report = reportFromScan(file, scan, scan.findings);
  if (options.runtime && report.manifest) {
    report.findings.push(...checkRuntimeCoverage(report.manifest, report.runtimeLinks, options.runtime));
    report.ok = !hasErrors(report.findings);
  }
  if (options.smoke) {
    if (report.ok && report.runtimeManifest) {
      // A runtime pack passes or fails on its checks alone: it has libraries, no server to start.
      report.smoke = { ran: false, skippedReason: "a runtime pack has no server to run" };
    } else if (!report.ok || !report.manifest) {
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
