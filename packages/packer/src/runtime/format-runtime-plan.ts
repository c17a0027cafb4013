import type { RuntimePackPlan } from "./runtime-types.js";

/** The plan as text for `pack-runtime --dry-run`: the toolkit, each library with who links it, licences, blockers. */
export function formatRuntimePlan(plan: RuntimePackPlan): string {
  const lines = [
    `plan ${plan.outFile ?? `${plan.runtimeId} (no file name: see blockers)`}`,
    `  runtime     ${plan.runtimeId} ${plan.version ?? "?"} for ${plan.target.os}-${plan.target.arch} (${plan.target.token})`,
    `  toolkit     ${plan.toolkitRoot ?? "-"}`,
    `  mtime       ${plan.mtime ?? "-"}`,
    "",
    "libraries (byte for byte, under their link names):",
    ...plan.files.map((f) => `  ${f.to.padEnd(32)} ← ${f.from}  (linked by ${f.neededBy})`),
    ...plan.dataDirs.map((d) => `  ${`${d.to}/`.padEnd(32)} ← ${d.from}`),
    "licences:",
    ...plan.licenses.map((l) => `  ${l.to.padEnd(32)} ← ${l.from}`),
    `left to the system: ${plan.system.join(", ") || "-"}`,
  ];
  if (plan.manifest) lines.push("manifest.json:", ...JSON.stringify(plan.manifest, null, 2).split("\n").map((l) => `  ${l}`));
  if (plan.blockers.length > 0) lines.push("blockers:", ...plan.blockers.map((b) => `  - ${b}`));
  return `${lines.join("\n")}\n`;
}
