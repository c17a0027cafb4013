import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GeneratedFile } from "@baiengine/profiles";
import { writeGeneratedFile } from "./generated-files.js";
import type { Runner } from "./runner.js";
import { type StartedEngine, startEngine } from "./start-engine.js";

export const LOOPBACK = "127.0.0.1";

/** A free TCP port on 127.0.0.1 (the system picks it; released before the server binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, LOOPBACK, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The server's arguments with `{model}`, `{host}` and `{port}` replaced (profile data says which it takes). */
export function expandServerArgs(args: readonly string[], values: { model: string | null; host: string; port: number }): string[] {
  return args.map((a) =>
    a.replace(/\{(model|host|port)\}/g, (_, name: string) => {
      if (name === "model") {
        if (values.model === null) throw new Error(`server argument ${a} names {model}, but no model was generated`);
        return values.model;
      }
      return name === "host" ? values.host : String(values.port);
    }),
  );
}

/** A server started on loopback for a smoke or a probe: its port and what it writes. */
export interface ServedEngine {
  engine: StartedEngine;
  port: number;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Folder of the generated files, removed by close(). */
  work: string;
  /** Stops the server (always) and removes the generated files. */
  close(): Promise<void>;
}

/**
 * Starts the server `binary` on 127.0.0.1 on a free port through `runner`, with the generated
 * `model` written first into a fresh folder (given to the server as the emulator sees it), from a
 * working directory of its own. The caller must close() it.
 */
export async function serveEngine(runner: Runner, binary: string, run: { args: string[]; model: GeneratedFile | null }, temp: string): Promise<ServedEngine> {
  const work = await mkdtemp(join(tmpdir(), "baiengine-serve-"));
  try {
    const model = run.model === null ? null : runner.hostPath(await writeGeneratedFile(run.model, work));
    const port = await freePort();
    const engine = startEngine(runner, binary, expandServerArgs(run.args, { model, host: LOOPBACK, port }), { cwd: work, temp });
    return {
      engine,
      port,
      origin: `http://${LOOPBACK}:${port}`,
      work,
      close: async () => {
        await engine.stop();
        await rm(work, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }
}

/** Why a server did not answer as awaited: it ended (or never started), or time ran out. */
export interface NotAnswered {
  timedOut: boolean;
  why: string;
}

/**
 * Polls `origin + path` until it answers `status`, the server exits, or `deadline` (ms since the
 * epoch) passes. Returns null when it answered, else why not.
 */
export async function waitForStatus(served: ServedEngine, path: string, status: number, deadline: number): Promise<NotAnswered | null> {
  let last = "no answer";
  while (Date.now() < deadline) {
    const exit = served.engine.exit();
    if (exit !== null) return { timedOut: false, why: exit.startError !== null ? `could not start: ${exit.startError}` : `exited (${exit.code ?? exit.signal}) before ${path} answered ${status}` };
    try {
      const r = await fetch(served.origin + path, { signal: AbortSignal.timeout(Math.max(1000, Math.min(10_000, deadline - Date.now()))) });
      await r.arrayBuffer();
      if (r.status === status) return null;
      last = `last answer ${r.status}`;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { timedOut: true, why: `${path} did not answer ${status} in time (${last})` };
}
