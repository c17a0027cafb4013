import { existsSync, realpathSync, statSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { hostPlatform } from "@baiengine/cli-kit/system";
import { findEngineProfile } from "@baiengine/profiles";
import { type Manifest, parseManifest } from "@baiengine/schema";
import { checkPackageDevices, extractPackage, formatListedDevice, runDeviceProbe } from "@baiengine/verifier";
import { execa } from "execa";
import type { AcceptancePlan } from "./plan.js";
import { fill, runCommand } from "./run-command.js";
import { serveKit } from "./serve-kits.js";
import { serveModel } from "./serve-model.js";
import { StepFailed, type StepRecord, StepRunner } from "./steps.js";

/** What the outside run hands the run inside the mount namespace (state.json). */
export interface InsideState {
  plan: AcceptancePlan;
  /** Placeholder values: engineVersion, buildDir, baseUrl, … */
  values: Record<string, string>;
  engineFile: string;
}

/** What the inside run hands back (state.json.result). */
export interface InsideResult {
  steps: StepRecord[];
  device: string | null;
  tokensPerSecond: number | null;
  negative: string | null;
}

/** The loader's cache (`ldconfig -p`): library name → real files; empty where ldconfig is missing. */
async function loaderCache(): Promise<Map<string, string[]>> {
  const r = await execa("ldconfig", ["-p"], { reject: false, stdin: "ignore" });
  const cache = new Map<string, string[]>();
  for (const l of r.exitCode === 0 ? r.stdout.split("\n") : []) {
    const m = /^\s*(\S+) \(.*\) => (\S+)$/.exec(l);
    if (m && existsSync(m[2]!)) cache.set(m[1]!, [...(cache.get(m[1]!) ?? []), realpathSync(m[2]!)]);
  }
  return cache;
}

const inside = (file: string, dir: string) => file === dir || file.startsWith(`${dir}/`);

/**
 * The toolkit folders that can be covered: never one that holds the C library (a toolkit installed
 * into /usr has /usr/lib as a "library folder"); copies there are covered file by file instead.
 */
function hideableDirs(dirs: string[], cache: Map<string, string[]>): string[] {
  const system = [...(cache.get("libc.so.6") ?? []), "/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib64/libc.so.6"].map((f) => path.dirname(f));
  return dirs.filter((d) => !system.some((s) => inside(s, d)));
}

/** Whether the dynamic loader opens `name` as a program would (a soname, searched as ld.so searches). */
function loadsByName(name: string): boolean {
  try {
    process.dlopen({ exports: {} }, name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Non-empty files named `name` where ld.so searches (ld.so(8): LD_LIBRARY_PATH, the ld.so.cache, the
 * default folders; the cache's folders stand for this machine's multiarch ones, x86_64 or aarch64):
 * a copy the loader finds but cannot open still counts as not hidden. A covered file reads as
 * /dev/null (empty), a covered folder as empty.
 */
function visibleCopies(name: string, cache: Map<string, string[]>): string[] {
  const cached = new Set([...cache.values()].flat().map((f) => path.dirname(f)));
  const searched = [...(process.env["LD_LIBRARY_PATH"] ?? "").split(":").filter(Boolean), ...cached, "/lib", "/usr/lib", "/lib64", "/usr/lib64"];
  const files = [...searched.map((d) => path.join(d, name)), ...(cache.get(name) ?? [])];
  return [...new Set(files)].filter((f) => (statSync(f, { throwIfNoEntry: false })?.size ?? 0) > 0);
}

/** Binds an empty folder over each toolkit library folder and /dev/null over cached copies elsewhere; only this namespace sees it. */
async function hideToolkit(plan: AcceptancePlan, values: Record<string, string>): Promise<{ detail: string }> {
  await mkdir(plan.paths.empty, { recursive: true });
  const cache = await loaderCache();
  const dirs = hideableDirs([...new Set(fill({ argv: plan.hide }, values).argv.filter((d) => existsSync(d)).map((d) => realpathSync(d)))], cache);
  for (const dir of dirs) await runCommand({ argv: ["mount", "--bind", plan.paths.empty, dir] });
  const files = [...new Set(plan.mustNotLoad.flatMap((n) => cache.get(n) ?? []))].filter((f) => !dirs.some((d) => inside(f, d)));
  for (const file of files) await runCommand({ argv: ["mount", "--bind", "/dev/null", file] });
  const still: string[] = [];
  const after = await loaderCache();
  for (const name of plan.mustNotLoad) if (loadsByName(name) || visibleCopies(name, after).length > 0) still.push(name);
  if (still.length > 0) throw new StepFailed(`${still.join(", ")} still load${still.length === 1 ? "s" : ""} by name with the toolkit hidden: a copy outside ${dirs.join(", ")} is on the loader's path`);
  return { detail: `hid ${[...dirs, ...files].join(", ") || "nothing (no such folder)"}; ${plan.mustNotLoad.join(", ")} no longer load${plan.mustNotLoad.length === 1 ? "s" : ""} by name` };
}

/** Steps 4–6, run inside the private mount namespace: hide, install, list, serve, and the negative. */
export async function runInside(stateFile: string): Promise<InsideResult> {
  const state = JSON.parse(await readFile(stateFile, "utf8")) as InsideState;
  const { plan, values } = state;
  const probe = findEngineProfile(plan.engine)?.deviceProbe;
  if (!probe) throw new Error(`engine ${plan.engine} has no device probe in its profile`);
  const deviceName = new RegExp(probe.devices["cuda"] ?? "^CUDA\\d+$");
  const steps = new StepRunner();
  const result: InsideResult = { steps: steps.steps, device: null, tokensPerSecond: null, negative: null };
  await steps.run("hide the toolkit", () => hideToolkit(plan, values));
  await steps.run("install", async () => {
    const out = JSON.parse(await runCommand(fill(plan.commands.install, values))) as { dir?: string; devices?: { ran: boolean; device?: string | null } };
    return { detail: `installed into ${out.dir ?? plan.paths.installed}; its device probe: ${out.devices?.device ?? "none"}` };
  });
  await steps.run("list devices", async () => {
    const server = fill(plan.commands.listDevices, values).argv[0]!;
    const run = await runDeviceProbe(server, probe, "cuda");
    const found = run.matching[0];
    if (!found) throw new StepFailed(`${run.command} lists no CUDA device: ${run.output.trim().split("\n").slice(-2).join(" ")}`);
    result.device = formatListedDevice(found);
    return { detail: result.device };
  });
  await steps.run("serve the model", async () => {
    const served = await serveModel(fill(plan.commands.serve, values), serveKit(plan.engine), deviceName);
    result.tokensPerSecond = served.tokensPerSecond;
    return served;
  });
  await steps.run("without its runtime pack", async () => {
    const extracted = await extractPackage(state.engineFile, plan.paths.bare);
    const manifest: Manifest = parseManifest(extracted.manifest);
    const check = await checkPackageDevices(path.join(plan.paths.bare, "package"), manifest, probe, hostPlatform());
    if (!check.ran) throw new StepFailed(`the device probe did not run: ${check.reason}`);
    if (check.device !== null) throw new StepFailed(`the package without its runtime still lists ${check.device}: the toolkit is not hidden`);
    result.negative = check.missing;
    return { detail: `refused by the device probe: ${check.missing}` };
  });
  return result;
}
