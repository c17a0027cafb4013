import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { UsageError } from "@baiengine/cli-kit/errors";
import { exists } from "@baiengine/cli-kit/system";
import { parseRegistry, type Registry } from "@baiengine/schema";
import { createIndex, utcTimestamp } from "../index-file/modify-index.js";
import { DEFAULT_BASE_URL, readme, releaseWorkflow, timestampWorkflow } from "./templates.js";

/** The files `init` writes, relative to the new repository (engines.json first). Pure. */
export function planInit(baseUrl: string, now: Date): { registry: Registry; files: Record<string, string> } {
  let registry: Registry;
  try {
    registry = parseRegistry({ schemaVersion: 1, lastUpdated: utcTimestamp(now), baseUrl, engines: [] });
  } catch (error) {
    throw new UsageError(`--base-url: ${(error as Error).message.split("\n").slice(1).join(" ").trim()}`, `e.g. ${DEFAULT_BASE_URL}`);
  }
  return {
    registry,
    files: { ".github/workflows/release-engine.yml": releaseWorkflow(), ".github/workflows/timestamp.yml": timestampWorkflow(), "README.md": readme(baseUrl), "packages/.gitkeep": "" },
  };
}

/** Creates a new registry repository in `dir`; refuses when it already has an engines.json. */
export async function initRepository(dir: string, options: { baseUrl?: string; now?: Date } = {}): Promise<string[]> {
  const plan = planInit(options.baseUrl ?? DEFAULT_BASE_URL, options.now ?? new Date());
  const index = join(dir, "engines.json");
  if (await exists(index)) {
    throw new UsageError(`${index} already exists`, "init creates a new registry; choose an empty folder");
  }
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [path, content] of Object.entries(plan.files)) {
    const full = join(dir, path);
    if (await exists(full)) continue; // never overwrite someone's file
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
    written.push(path);
  }
  await createIndex(index, plan.registry);
  return ["engines.json", ...written];
}
