import { redactText } from "@baiengine/schema";

const secrets = new Set<string>();
let installed = false;

/** A credential this process was given (a token from a flag or an environment variable): never printed. */
export function registerSecret(value: string): void {
  if (value.length > 0) secrets.add(value);
}

/** `text` as it may be printed: URL credentials and registered secrets replaced by `***`. */
export function redactForOutput(text: string): string {
  return redactText(text, [...secrets]);
}

/** A string redacted; a Buffer redacted when it is whole UTF-8 text (a split character passes as it is). */
function redactChunk(chunk: unknown): unknown {
  if (typeof chunk === "string") return redactForOutput(chunk);
  if (!Buffer.isBuffer(chunk)) return chunk;
  const text = chunk.toString("utf8");
  return Buffer.byteLength(text) === chunk.length ? Buffer.from(redactForOutput(text)) : chunk;
}

/**
 * Makes every write of this process to stdout and stderr pass through `redactForOutput`: progress
 * lines, `--json`, `--dry-run` plans, errors and hints from any module, commander's own messages.
 * The last guard; the messages are built redacted where they are made. Idempotent.
 */
export function redactProcessOutput(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => write(redactChunk(chunk), ...rest)) as typeof stream.write;
  }
}
