import { runTool, which } from "@baiengine/cli-kit/system";
import { parseToolkitVersion } from "@baiengine/profiles";
import type { HostFacts } from "./host-plan.js";

/** Toolkits whose version decides a cell (their major), read as the packer reads them. */
const VERSIONED_TOOLS = new Set(["nvcc", "hipcc"]);

/** Looks up each tool on PATH (and the version of toolkits), for `planHostBuild`. */
export async function probeTools(tools: string[], host: HostFacts["host"]): Promise<HostFacts> {
  const facts: HostFacts = { host, tools: {} };
  for (const tool of [...new Set(tools)]) {
    const path = which(tool);
    if (!path) continue;
    if (!VERSIONED_TOOLS.has(tool)) {
      facts.tools[tool] = {};
      continue;
    }
    const version = parseToolkitVersion((await runTool(path, ["--version"], { timeoutMs: 30_000 })).output);
    facts.tools[tool] = version ? { version } : {};
  }
  return facts;
}
