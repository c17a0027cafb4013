import type { HttpSmoke, SmokeBody } from "@baiengine/profiles";
import { generatedFileBytes } from "./generated-files.js";
import type { Runner } from "./runner.js";
import { serveEngine, waitForStatus } from "./serve-engine.js";

/** What an HTTP smoke did: null `problem` when the answer had the expected shape. */
export interface HttpSmokeOutcome {
  problem: string | null;
  /** The answer's body (JSON text, first 2,000 characters) when there was one. */
  answer: string | null;
  /** The server's log, the last 4,000 characters. */
  log: string;
  timedOut: boolean;
  durationMs: number;
}

/**
 * The request's body and headers. A multipart form is serialised first, so it goes with a
 * Content-Length rather than chunked (small servers, and some under emulators, read only the former).
 */
async function requestBody(body: SmokeBody): Promise<{ body?: string | Uint8Array; headers: Record<string, string> }> {
  if (body.kind === "none") return { headers: {} };
  if (body.kind === "json") return { body: JSON.stringify(body.json), headers: { "content-type": "application/json" } };
  const form = new FormData();
  for (const [name, value] of Object.entries(body.fields)) form.append(name, value);
  for (const [name, kind] of Object.entries(body.files)) form.append(name, new Blob([generatedFileBytes(kind)]), kind === "tone-wav" ? "tone.wav" : kind);
  const encoded = new Response(form);
  return { body: new Uint8Array(await encoded.arrayBuffer()), headers: { "content-type": encoded.headers.get("content-type") ?? "multipart/form-data" } };
}

/** Why `json` does not have the expected field types, or null. */
export function answerShapeProblem(json: unknown, expected: Record<string, string>): string | null {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return "the answer is not a JSON object";
  for (const [field, type] of Object.entries(expected)) {
    const value = (json as Record<string, unknown>)[field];
    const actual = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
    if (actual !== type) return `the answer's ${field} is ${value === undefined ? "missing" : actual}, not ${type}`;
  }
  return null;
}

async function ask(origin: string, smoke: HttpSmoke, deadline: number): Promise<{ problem: string | null; answer: string | null }> {
  const { body, headers } = await requestBody(smoke.request.body);
  const r = await fetch(origin + smoke.request.path, { method: smoke.request.method, headers, ...(body ? { body } : {}), signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) });
  const text = await r.text();
  const answer = text.slice(0, 2000);
  if (r.status !== smoke.answer.status) return { problem: `${smoke.request.method} ${smoke.request.path} answered ${r.status}, not ${smoke.answer.status}`, answer };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: `${smoke.request.method} ${smoke.request.path} answered no JSON`, answer };
  }
  return { problem: answerShapeProblem(json, smoke.answer.json), answer };
}

/**
 * The `http` smoke kind (profile data): starts the server on 127.0.0.1 (serveEngine), waits for its
 * health endpoint within `readySeconds`, sends the request and checks the answer's status and field
 * types within `requestSeconds`, and always stops it. Never throws for the server's failures.
 */
export async function runHttpSmoke(runner: Runner, binary: string, smoke: HttpSmoke, temp: string): Promise<HttpSmokeOutcome> {
  const started = Date.now();
  const served = await serveEngine(runner, binary, smoke, temp);
  let outcome: Omit<HttpSmokeOutcome, "log" | "durationMs">;
  try {
    const notReady = await waitForStatus(served, smoke.health.path, smoke.health.status, Date.now() + smoke.readySeconds * 1000);
    if (notReady !== null) {
      outcome = { problem: `not healthy within ${smoke.readySeconds} s: ${notReady.why}`, answer: null, timedOut: notReady.timedOut };
    } else {
      const deadline = Date.now() + smoke.requestSeconds * 1000;
      try {
        outcome = { ...(await ask(served.origin, smoke, deadline)), timedOut: false };
      } catch (error) {
        const timedOut = Date.now() >= deadline;
        const why = timedOut ? `no answer within ${smoke.requestSeconds} s` : (error as Error).message;
        outcome = { problem: `${smoke.request.method} ${smoke.request.path}: ${why}`, answer: null, timedOut };
      }
    }
  } finally {
    await served.close();
  }
  return { ...outcome, log: served.engine.output().slice(-4000), durationMs: Date.now() - started };
}
