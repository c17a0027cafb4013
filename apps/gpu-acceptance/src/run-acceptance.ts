import { copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { findEngineProfile } from "@baiengine/profiles";
import { releaseTag } from "@baiengine/schema";
import type { HostFacts } from "./facts.js";
import type { InsideResult, InsideState } from "./inside.js";
import { startMirrorServer } from "./mirror-server.js";
import { tinyLlamaGguf } from "./model/tiny-llama.js";
import type { AcceptancePlan } from "./plan.js";
import { type AcceptanceReport, buildReport } from "./report.js";
import { fill, runCommand } from "./run-command.js";
import { StepFailed, type StepRecord, StepRunner } from "./steps.js";

interface Packed {
  file: string;
  size: number;
  version: string;
  id: string;
}

async function packEngine(plan: AcceptancePlan, values: Record<string, string>): Promise<Packed & { detail: string }> {
  const out = JSON.parse(await runCommand(plan.commands.packEngine)) as { file: string; size: number; manifest: { version: string }; buildDir: string };
  values["engineVersion"] = out.manifest.version;
  values["buildDir"] = out.buildDir;
  values["binaryDir"] = path.join(out.buildDir, findEngineProfile(plan.engine)?.binaryDir ?? "bin");
  return { file: out.file, size: out.size, version: out.manifest.version, id: plan.engine, detail: `${path.basename(out.file)}, ${out.size} bytes` };
}

async function packRuntime(plan: AcceptancePlan, values: Record<string, string>): Promise<Packed & { detail: string }> {
  const out = JSON.parse(await runCommand(fill(plan.commands.packRuntime, values))) as { file: string; size: number; manifest: { runtimeId: string; version: string; provides: string[] } };
  values["runtimeId"] = out.manifest.runtimeId;
  values["runtimeVersion"] = out.manifest.version;
  return { file: out.file, size: out.size, version: out.manifest.version, id: out.manifest.runtimeId, detail: `${path.basename(out.file)}, ${out.size} bytes: ${out.manifest.provides.join(", ")}` };
}

/** A fresh engines.json with both published, and the files laid out as releases ({tag}/{file}) for the mirror. */
async function publish(plan: AcceptancePlan, values: Record<string, string>, engine: Packed, runtime: Packed): Promise<{ detail: string }> {
  const index = { schemaVersion: 1, lastUpdated: new Date().toISOString().replace(/\.\d+Z$/, "Z"), baseUrl: values["baseUrl"], engines: [] };
  await writeFile(plan.paths.registry, `${JSON.stringify(index, null, 2)}\n`);
  await runCommand(fill(plan.commands.publishRuntime, values));
  await runCommand(fill(plan.commands.publishEngine, values));
  for (const p of [engine, runtime]) {
    const dir = path.join(plan.paths.mirror, releaseTag(p.id, p.version));
    await mkdir(dir, { recursive: true });
    await copyFile(p.file, path.join(dir, path.basename(p.file)));
  }
  return { detail: `${plan.paths.registry}: ${engine.id} ${engine.version} and ${runtime.id} ${runtime.version}, served at ${values["baseUrl"]}` };
}

/** Steps 4–6 in a private mount namespace: this program again, with --inside; its steps come back in the state file. */
async function isolated(plan: AcceptancePlan, values: Record<string, string>, engineFile: string, steps: StepRunner): Promise<InsideResult | null> {
  const state: InsideState = { plan, values, engineFile };
  await writeFile(plan.paths.state, `${JSON.stringify(state, null, 2)}\n`);
  let result: InsideResult | null = null;
  await steps.run("private mount namespace", async () => {
    await runCommand(fill(plan.commands.isolate, values));
    result = JSON.parse(await readFile(`${plan.paths.state}.result`, "utf8")) as InsideResult;
    return { detail: `${plan.commands.isolate.argv.slice(0, plan.commands.isolate.argv.indexOf("--")).join(" ")}` };
  });
  return result;
}

/**
 * Steps 1–7 on this machine: pack the engine for the plan's architecture, pack the runtime from the
 * same toolkit, publish both into a fresh engines.json served from 127.0.0.1, then (in a private
 * mount namespace, toolkit hidden) install, list the device, serve the tiny model and check the
 * server's log, and the negative; writes the JSON report and the text summary. The work folder
 * must be new or empty.
 */
export async function runAcceptance(plan: AcceptancePlan, facts: HostFacts, onStep: (r: StepRecord) => void): Promise<AcceptanceReport> {
  await mkdir(plan.paths.mirror, { recursive: true });
  if ((await readdir(path.dirname(plan.paths.registry))).some((n) => n !== "mirror")) throw new StepFailed(`${path.dirname(plan.paths.registry)} is not empty: give a new --work-dir`);
  await writeFile(plan.paths.model, tinyLlamaGguf());
  const steps = new StepRunner(onStep);
  const values: Record<string, string> = {};
  const mirror = await startMirrorServer(plan.paths.mirror);
  values["baseUrl"] = mirror.url;
  let inside: InsideResult | null = null;
  let engine: Packed | null = null;
  let runtime: Packed | null = null;
  try {
    engine = await steps.run("pack-engine", () => packEngine(plan, values));
    runtime = await steps.run("pack-runtime", () => packRuntime(plan, values));
    if (engine && runtime) {
      const [e, r] = [engine, runtime];
      await steps.run("publish", () => publish(plan, values, e, r));
      if (!steps.failed) inside = await isolated(plan, values, e.file, steps);
    }
  } finally {
    await mirror.close();
  }
  for (const s of inside?.steps ?? []) {
    steps.steps.push(s);
    onStep(s);
  }
  return buildReport(plan, facts, steps.steps, { engine, runtime, inside });
}
