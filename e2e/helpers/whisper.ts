import path from "node:path";
import { generatedFileBytes } from "../../packages/verifier/dist/index.js";

/**
 * `--source` for whisper.cpp packs: `$BAIENGINE_WHISPER_SOURCE` when set, else none, so pack-engine
 * fetches `nodejs-whisper` from npm into its default cache (~/.cache/baiengine/packer) itself,
 * as it does on a fresh clone; later runs reuse that cache's build folders.
 */
export function whisperSourceArgs(): string[] {
  const given = process.env["BAIENGINE_WHISPER_SOURCE"];
  return given ? ["--source", path.resolve(given)] : [];
}

/** POSTs the generated WAV to a whisper-server's /inference as the app does; the answer's JSON. */
export async function transcribe(origin: string, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  const form = new FormData();
  form.append("response_format", "json");
  form.append("temperature", "0");
  form.append("file", new Blob([generatedFileBytes("tone-wav")]), "tone.wav");
  const encoded = new Response(form);
  const r = await fetch(`${origin}/inference`, {
    method: "POST",
    headers: { "content-type": encoded.headers.get("content-type") ?? "multipart/form-data" },
    body: new Uint8Array(await encoded.arrayBuffer()),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the caller's expectation shows the text
  }
  return { status: r.status, body };
}
