import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { PlannedCommand } from "./plan.js";
import { runCommand } from "./run-command.js";
import type { ServeKit } from "./serve-kits.js";
import { StepFailed } from "./steps.js";

/** What the server's own log showed. */
export interface ServeResult {
  offloaded: { done: number; total: number };
  /** Devices holding a model buffer (`CUDA0`), in the log's order. */
  bufferDevices: string[];
  tokensPerSecond: number;
  detail: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Reads the log lines the kit names: every layer offloaded, a model buffer on a device matching
 * `device` (the engine's device pattern: `^CUDA\d+$`), and the generation speed. StepFailed with
 * what was missing (a GPU backend that failed to load leaves the layers on the CPU, silently).
 */
export function readServerLog(log: string, kit: ServeKit, device: RegExp): ServeResult {
  const off = new RegExp(kit.offloaded, "m").exec(log);
  const bufferDevices = [...log.matchAll(new RegExp(kit.deviceBuffer, "gm"))].map((m) => m[1]!);
  const speeds = [...log.matchAll(new RegExp(kit.tokensPerSecond, "gm"))].map((m) => Number(m[1]));
  const done = off ? Number(off[1]) : 0;
  const total = off ? Number(off[2]) : 0;
  const onDevice = bufferDevices.filter((d) => device.test(d));
  if (!off) throw new StepFailed("the server's log shows no layer offloading line: was the model loaded?");
  if (done === 0 || done < total) throw new StepFailed(`the server offloaded ${done}/${total} layers to the GPU (model buffers on ${bufferDevices.join(", ") || "nothing"}): the GPU backend did not load`);
  if (onDevice.length === 0) throw new StepFailed(`no model buffer on a ${device.source} device in the server's log (only ${bufferDevices.join(", ") || "none"})`);
  const tokensPerSecond = speeds.at(-1);
  if (tokensPerSecond === undefined || !Number.isFinite(tokensPerSecond)) throw new StepFailed("the server's log gives no tokens per second for the request");
  return { offloaded: { done, total }, bufferDevices, tokensPerSecond, detail: `${done}/${total} layers offloaded to ${onDevice[0]}, ${tokensPerSecond} tokens per second` };
}

async function serveHttp(command: PlannedCommand, kit: ServeKit, cwd: string): Promise<string> {
  const port = String(await freePort());
  const [file, ...args] = command.argv.map((a) => a.replace("{port}", port));
  const child = spawn(file!, args, { cwd, env: {}, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const keep = (d: Buffer) => {
    log = (log + d.toString()).slice(-200_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new StepFailed(`the server exited (${child.exitCode ?? child.signalCode}) before it answered: ${log.trim().split("\n").at(-1)}`);
      if (Date.now() > deadline) throw new StepFailed(`the server did not answer ${kit.health} within 180 s`);
      const status = await fetch(`${url}${kit.health}`).then((r) => r.status, () => 0);
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const response = await fetch(`${url}${kit.request!.path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(kit.request!.body) });
    if (!response.ok) throw new StepFailed(`${kit.request!.path} answered ${response.status}`);
    await response.arrayBuffer();
    await new Promise((r) => setTimeout(r, 200)); // the timings line follows the response
    return log;
  } finally {
    if (child.exitCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Serves the model as the kit says, with an empty environment from a fresh folder, then stops the server; the log's findings. */
export async function serveModel(command: PlannedCommand, kit: ServeKit, device: RegExp): Promise<ServeResult> {
  const cwd = await mkdtemp(path.join(tmpdir(), "baiengine-serve-"));
  try {
    const log = kit.mode === "http" ? await serveHttp(command, kit, cwd) : await runCommand(command, { cwd });
    return readServerLog(log, kit, device);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}
