import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { execa } from "execa";
import type { HostFacts } from "./host-plan.js";

/** Tools whose version decides a cell (toolkit majors), and how to read it. */
const VERSION_PROBES: Record<string, { args: string[]; pattern: RegExp }> = {
  nvcc: { args: ["--version"], pattern: /release (\d+\.\d+)/ },
  hipcc: { args: ["--version"], pattern: /HIP version: (\d+\.\d+)/ },
};

/** The full path of an executable on PATH, or null. */
export async function which(tool: string, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const exts = process.platform === "win32" ? (env["PATHEXT"] ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const dir of (env["PATH"] ?? "").split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = join(dir, tool + ext);
      try {
        await access(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return null;
}

/** Looks up each tool on PATH (and the version of toolkits), for `planHostBuild`. */
export async function probeTools(tools: string[], host: HostFacts["host"]): Promise<HostFacts> {
  const facts: HostFacts = { host, tools: {} };
  for (const tool of [...new Set(tools)]) {
    const path = await which(tool);
    if (!path) continue;
    const probe = VERSION_PROBES[tool];
    if (!probe) {
      facts.tools[tool] = {};
      continue;
    }
    const result = await execa(path, probe.args, { reject: false, all: true, timeout: 30_000 });
    const version = probe.pattern.exec(result.all ?? "")?.[1];
    facts.tools[tool] = version ? { version } : {};
  }
  return facts;
}
