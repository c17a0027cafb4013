import { type Arch, type Os, toolkitMajor } from "@baiengine/schema";
import type { Cell } from "../cell.js";

/** What this machine has, probed beforehand (an effect) and passed in as data. */
export interface HostFacts {
  host: { os: Os; arch: Arch };
  /** Tools found on PATH, with the version they report when it matters (nvcc → "13.0"). */
  tools: Record<string, { version?: string } | undefined>;
}

/** The parts of the packer's profiles the host planner reads. */
export interface HostToolchain {
  id: string;
  host: { os: Os; arch: Arch };
  target: { os: Os; arch: Arch };
  cc: string | null;
  cxx: string | null;
  emulator?: { command: string };
}
export interface HostAccelerator {
  os: Os;
  arch: Arch;
  token: string;
  toolkit: { probe: string; major: number | null } | null;
}

export interface HostCell {
  cell: Cell;
  toolchain: string;
  /** The package can be started here: natively, or under the toolchain's emulator. */
  smoke: boolean;
  emulate: boolean;
}

export interface HostPlan {
  build: HostCell[];
  skipped: { cell: Cell; reason: string }[];
}

/**
 * Which cells this machine can build: native cells whose toolkit is installed, and cross cells
 * (cpu only: no cross toolkits) whose cross compilers are installed. Pure.
 */
export function planHostBuild(cells: Cell[], facts: HostFacts, toolchains: HostToolchain[], accelerators: HostAccelerator[]): HostPlan {
  const plan: HostPlan = { build: [], skipped: [] };
  const { host } = facts;
  for (const cell of cells) {
    const native = cell.os === host.os && cell.arch === host.arch;
    const accel = accelerators.find((a) => a.os === cell.os && a.arch === cell.arch && a.token === cell.accelerator);
    const toolkit = accel?.toolkit ?? null;
    if (native) {
      const missing = toolkit ? missingToolkit(toolkit, facts) : null;
      if (missing) plan.skipped.push({ cell, reason: missing });
      else plan.build.push({ cell, toolchain: "native", smoke: cell.smoke, emulate: false });
      continue;
    }
    const cross = toolchains.find((t) => t.id !== "native" && sameAs(t.host, host) && sameAs(t.target, cell));
    if (!cross) {
      plan.skipped.push({ cell, reason: `needs a ${cell.os}-${cell.arch} runner (no cross toolchain from ${host.os}-${host.arch})` });
      continue;
    }
    if (toolkit) {
      plan.skipped.push({ cell, reason: `needs a ${cell.os}-${cell.arch} runner: ${toolkit.probe} is not cross-built by ${cross.id}` });
      continue;
    }
    const absent = [cross.cc, cross.cxx].filter((t): t is string => t !== null && !facts.tools[t]);
    if (absent.length > 0) {
      plan.skipped.push({ cell, reason: `cross toolchain ${cross.id} is not installed (${absent.join(", ")} not on PATH)` });
      continue;
    }
    const emulator = cross.emulator && facts.tools[cross.emulator.command] ? cross.emulator.command : null;
    plan.build.push({ cell, toolchain: cross.id, smoke: cell.smoke && emulator !== null, emulate: emulator !== null });
  }
  return plan;
}

function sameAs(a: { os: Os; arch: Arch }, b: { os: Os; arch: Arch }): boolean {
  return a.os === b.os && a.arch === b.arch;
}

function missingToolkit(toolkit: { probe: string; major: number | null }, facts: HostFacts): string | null {
  const found = facts.tools[toolkit.probe];
  if (!found) return `${toolkit.probe} is not on PATH`;
  if (toolkit.major !== null) {
    const major = toolkitMajor(found.version ?? null);
    if (major !== toolkit.major) return `needs ${toolkit.probe} ${toolkit.major}.x, found ${found.version ?? "an unknown version"}`;
  }
  return null;
}
