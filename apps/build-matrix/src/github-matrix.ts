import type { Cell, RunnerSetup } from "./cell.js";
import { findEngineProfile } from "@baiengine/profiles";
import { untaggedEngineError } from "./errors.js";

/**
 * One `include` row of a GitHub Actions matrix. Keys are the `matrix.*` names the workflows use;
 * absent things are empty strings so `if: matrix.container != ''` reads naturally.
 */
export interface GithubMatrixRow {
  id: string;
  engine: string;
  version: string;
  os: string;
  arch: string;
  accelerator: string;
  "runs-on": string;
  container: string;
  "apt-packages": string;
  "cuda-toolkit": string;
  "setup-script": string;
  smoke: boolean;
  "source-repository": string;
  "source-ref": string;
  package: string;
  "pack-command": string;
  "verify-command": string;
  artifact: string;
}

/** A cell's runner fields as matrix keys (`runs-on`, `container`, ...), empty strings for absent ones. */
export function githubRunnerFields(r: RunnerSetup): Pick<GithubMatrixRow, "runs-on" | "container" | "apt-packages" | "cuda-toolkit" | "setup-script"> {
  return {
    "runs-on": r.runsOn,
    container: r.container ?? "",
    "apt-packages": r.aptPackages.join(" "),
    "cuda-toolkit": r.cudaToolkit ?? "",
    "setup-script": r.setupScript ?? "",
  };
}

export function githubMatrixRow(cell: Cell): GithubMatrixRow {
  return {
    id: cell.id,
    engine: cell.engine,
    version: cell.version ?? "",
    os: cell.os,
    arch: cell.arch,
    accelerator: cell.accelerator,
    ...githubRunnerFields(cell),
    smoke: cell.smoke,
    "source-repository": cell.source.kind === "git" ? cell.source.repository : "",
    "source-ref": cell.source.kind === "git" ? (cell.source.ref ?? "") : "",
    package: cell.packageFile ?? "",
    "pack-command": cell.packCommand,
    "verify-command": cell.verifyCommand,
    artifact: `baiengine-${cell.id}`,
  };
}

/** `{"include":[...]}` for `strategy.matrix: ${{ fromJSON(...) }}`; a git cell without a tag to clone is a MatrixUsageError. */
export function githubMatrix(cells: Cell[]): { include: GithubMatrixRow[] } {
  const untagged = cells.find((c) => c.source.kind === "git" && c.source.ref === null);
  if (untagged) throw untaggedEngineError(findEngineProfile(untagged.engine)!);
  return { include: cells.map(githubMatrixRow) };
}

/** A fixed-width table for people. */
export function formatTable(cells: Cell[]): string {
  const header = ["cell", "runs-on", "set-up", "smoke", "pack"];
  const rows = cells.map((c) => [
    c.id,
    c.runsOn,
    c.container ?? (c.cudaToolkit ? `cuda-toolkit ${c.cudaToolkit}` : c.setupScript ? "sdk script" : "-"),
    c.smoke ? "yes" : "no",
    c.packCommand,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}
