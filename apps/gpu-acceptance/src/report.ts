import type { HostFacts } from "./facts.js";
import type { InsideResult } from "./inside.js";
import type { AcceptancePlan } from "./plan.js";
import type { StepRecord } from "./steps.js";

/** The run's one JSON report (report.json). */
export interface AcceptanceReport {
  ok: boolean;
  engine: string;
  accel: string;
  standIn: boolean;
  /** The device the installed server listed (`CUDA0: NVIDIA H100 80GB HBM3 (81079 MiB, 80543 MiB free)`). */
  device: string | null;
  gpu: { name: string; computeCap: string; driver: string } | null;
  cudaArchitectures: string | null;
  toolkit: { root: string; version: string | null } | null;
  package: { file: string; version: string; bytes: number } | null;
  runtime: { file: string; id: string; version: string; bytes: number } | null;
  tokensPerSecond: number | null;
  /** The device probe's one line for the package installed without its runtime pack. */
  negative: string | null;
  /** Each step in order: name, ok, milliseconds, what it found. */
  steps: StepRecord[];
}

type Packed = { file: string; size: number; version: string; id: string } | null;

export function buildReport(plan: AcceptancePlan, facts: HostFacts, steps: StepRecord[], got: { engine: Packed; runtime: Packed; inside: InsideResult | null }): AcceptanceReport {
  const { engine, runtime, inside } = got;
  return {
    ok: steps.length > 0 && steps.every((s) => s.ok) && steps.some((s) => s.name === "without its runtime pack"),
    engine: plan.engine,
    accel: plan.accel,
    standIn: plan.standIn,
    device: inside?.device ?? null,
    gpu: facts.gpu,
    cudaArchitectures: plan.cudaArchitectures,
    toolkit: plan.toolkit,
    package: engine ? { file: engine.file, version: engine.version, bytes: engine.size } : null,
    runtime: runtime ? { file: runtime.file, id: runtime.id, version: runtime.version, bytes: runtime.size } : null,
    tokensPerSecond: inside?.tokensPerSecond ?? null,
    negative: inside?.negative ?? null,
    steps,
  };
}

/** The short text summary (summary.txt, and what the CLI prints). */
export function formatSummary(r: AcceptanceReport): string {
  const mb = (n: number) => (n < 1048576 ? `${n} bytes` : `${(n / 1048576).toFixed(1)} MiB`);
  const lines = [
    `${r.ok ? "PASSED" : "FAILED"}: GPU acceptance of ${r.engine} ${r.accel}${r.standIn ? " (stand-in)" : ""}`,
    `  device    ${r.device ?? "-"}`,
    ...(r.gpu ? [`  gpu       ${r.gpu.name}, compute capability ${r.gpu.computeCap} (built for ${r.cudaArchitectures}), driver ${r.gpu.driver}`] : []),
    ...(r.toolkit ? [`  toolkit   CUDA ${r.toolkit.version ?? "?"} at ${r.toolkit.root}`] : []),
    `  package   ${r.package ? `${r.package.version}, ${mb(r.package.bytes)}` : "-"}`,
    `  runtime   ${r.runtime ? `${r.runtime.id} ${r.runtime.version}, ${mb(r.runtime.bytes)}` : "-"}`,
    `  speed     ${r.tokensPerSecond ?? "-"} tokens per second`,
    `  negative  ${r.negative ?? "-"}`,
    ...r.steps.map((s) => `  ${s.ok ? "ok    " : "FAILED"} ${s.name} (${(s.ms / 1000).toFixed(1)} s): ${s.detail}`),
  ];
  return `${lines.join("\n")}\n`;
}
