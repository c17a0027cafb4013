import { appendFileSync, readFileSync } from "node:fs";
import {
  createProgram,
  detectEnvironment,
  escapeAnnotation,
  escapeAnnotationProperty,
  parsePositiveInt,
  programVersion,
  runCli,
  UsageError,
  withReporter,
} from "@baiengine/cli-kit";
import { listEngineProfiles, type Smoke } from "@baiengine/profiles";
import { parseJsonDocument, type Registry, type RuntimeManifest, safeParseRegistry } from "@baiengine/schema";
import type { DeviceProbe } from "../devices/device-listing.js";
import { describeFinding, type Finding } from "../findings.js";
import { LIMIT_FLAGS, type Limits } from "../limits.js";
import { type VerifyReport, verifyPackage } from "../verify.js";

const version = programVersion(import.meta.url);

interface Flags {
  registry?: string;
  runtime?: string;
  smoke?: boolean;
  emulate?: boolean;
  json?: boolean;
  [limit: string]: unknown;
}

const program = createProgram("verify-engine", "Verify .baiengine packages: container, entry safety, limits, manifest, binaries, libraries.", version)
  .argument("<file...>", ".baiengine package files")
  .option("--registry <engines.json>", "also check size, sha256 and fields against this registry index")
  .option("--runtime <file.bairuntime>", "verify this runtime pack too, and that it serves each package: the runtime its manifest names, with every library of it the package's binaries link")
  .option("--smoke", "extract to a temporary folder and run the engine's smoke (its profile's: `--version`, or an HTTP request to the server started on 127.0.0.1 with a generated model), then, where this host has a device of a GPU package's kind, the engine's device probe")
  .option("--emulate", "with --smoke, run other platforms' packages through qemu-aarch64 or wine")
  .option("--json", "print one JSON object per file (JSON Lines) instead of text");
for (const [key, { flag, description }] of Object.entries(LIMIT_FLAGS)) {
  program.option(`${flag} <n>`, description, parsePositiveInt(flag));
  void key;
}

program.action(async (files: string[], flags: Flags) => {
  const env = detectEnvironment();
  const registry = flags.registry ? loadRegistry(flags.registry) : undefined;
  const limits: Partial<Limits> = {};
  for (const key of Object.keys(LIMIT_FLAGS) as (keyof Limits)[]) {
    const value = flags[key];
    if (typeof value === "number") limits[key] = value;
  }
  const reports: VerifyReport[] = [];
  const print = (report: VerifyReport) => {
    reports.push(report);
    if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else process.stdout.write(formatReport(report));
    if (env.githubActions) process.stdout.write(formatAnnotations(report));
  };
  let runtime: RuntimeManifest | undefined;
  if (flags.runtime !== undefined) {
    const report = await verifyPackage(flags.runtime, { limits });
    if (!report.runtimeManifest && report.ok) throw new UsageError(`--runtime ${flags.runtime} is not a runtime pack`, "pass a .bairuntime file (pack-runtime makes them)");
    print(report);
    runtime = report.runtimeManifest ?? undefined;
  }
  for (const file of files) {
    const report = await withReporter({ quiet: Boolean(flags.json) || !env.tty }, (reporter) =>
      verifyPackage(file, {
        ...(runtime ? { runtime } : {}),
        ...(registry ? { registry } : {}),
        smoke: Boolean(flags.smoke),
        emulate: Boolean(flags.emulate),
        ...(flags.smoke ? { deviceProbes: deviceProbes(), smokes: smokes() } : {}),
        limits,
        reporter,
      }),
    );
    print(report);
  }
  const summaryFile = process.env["GITHUB_STEP_SUMMARY"];
  if (env.githubActions && summaryFile) appendFileSync(summaryFile, formatSummary(reports));
  process.exitCode = reports.every((r) => r.ok) ? 0 : 1;
});

/** Engine id → the device probe of its profile (@baiengine/profiles data: `llama-server --list-devices` and how to read it). */
function deviceProbes(): Record<string, DeviceProbe> {
  return Object.fromEntries(listEngineProfiles().flatMap((p) => (p.deviceProbe ? [[p.id, p.deviceProbe]] : [])));
}

/** Engine id → the smoke of its profile (an exit code, or an HTTP round trip with a generated model). */
function smokes(): Record<string, Smoke> {
  return Object.fromEntries(listEngineProfiles().map((p) => [p.id, p.smoke]));
}

function loadRegistry(path: string): Registry {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UsageError(`--registry ${path}: ${(error as Error).message}`, "pass the path of a readable engines.json");
  }
  const parsed = parseJsonDocument(bytes, safeParseRegistry);
  if (!parsed.ok) throw new UsageError(`--registry ${path} is not a valid engines.json: ${parsed.issues[0]}`, "fix the registry file (see @baiengine/schema)");
  return parsed.value;
}

/** `error CODE path: reason`, one line per finding, under a status line for the file. */
export function findingLine(f: Finding): string {
  return `${f.severity} ${describeFinding(f)}`;
}

function formatReport(report: VerifyReport): string {
  const lines = [`${report.ok ? "ok" : "FAILED"} ${report.file} (${report.size} bytes, sha256 ${report.sha256 || "-"}, ${report.entries} entries)`];
  for (const f of report.findings) lines.push(`  ${findingLine(f).replace(/\n/g, " ")}`);
  if (report.smoke) {
    lines.push(
      report.smoke.ran
        ? `  smoke: ran via ${report.smoke.runner} in ${report.smoke.durationMs} ms${report.smoke.note ? ` (${report.smoke.note})` : ""}: ${firstLine(report.smoke.output)}`
        : `  smoke: skipped: ${report.smoke.skippedReason}`,
    );
    const devices = report.smoke.devices;
    if (devices) lines.push(`  device probe: ${devices.ran ? (devices.device ?? "no device of the package's kind listed") : `skipped: ${devices.reason}`}`);
  }
  return `${lines.join("\n")}\n`;
}

function formatAnnotations(report: VerifyReport): string {
  return report.findings
    .filter((f) => f.severity !== "info")
    .map((f) => `::${f.severity} file=${escapeAnnotationProperty(report.file)},title=${escapeAnnotationProperty(f.code)}::${escapeAnnotation(`${f.path ? `${f.path}: ` : ""}${f.message}`)}\n`)
    .join("");
}

function formatSummary(reports: VerifyReport[]): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const rows = reports.map((r) => {
    const errors = r.findings.filter((f) => f.severity === "error");
    const warnings = r.findings.filter((f) => f.severity === "warning");
    const first = errors[0] ?? warnings[0];
    return `| ${cell(r.file)} | ${r.ok ? "✅ ok" : "❌ failed"} | ${errors.length} | ${warnings.length} | ${r.size} | \`${r.sha256.slice(0, 16)}\` | ${first ? cell(`${first.code}: ${first.message}`) : ""} |`;
  });
  return ["## verify-engine", "", "| Package | Result | Errors | Warnings | Size | sha256 | First finding |", "| --- | --- | --- | --- | --- | --- | --- |", ...rows, ""].join("\n") + "\n";
}

function firstLine(text: string | undefined): string {
  return (text ?? "").trim().split("\n")[0] ?? "";
}

await runCli(program);
