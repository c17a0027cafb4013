import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { GeneratedFile } from "@baiengine/profiles";
import { tinyWhisperModel } from "./tiny-whisper-model.js";
import { toneWav } from "./tone-wav.js";

const MAKERS: Record<GeneratedFile, { name: string; make: () => Buffer }> = {
  "tiny-whisper-model": { name: "ggml-tiny-random.bin", make: () => tinyWhisperModel() },
  "tone-wav": { name: "tone-16k-mono.wav", make: () => toneWav() },
};

/** The bytes of a generated file (profile data names them: `tiny-whisper-model`, `tone-wav`). */
export function generatedFileBytes(kind: GeneratedFile): Buffer {
  return MAKERS[kind].make();
}

/** Writes the generated file `kind` into `dir` (a fresh folder of the caller's) and returns its path. */
export async function writeGeneratedFile(kind: GeneratedFile, dir: string): Promise<string> {
  const file = join(dir, MAKERS[kind].name);
  await writeFile(file, MAKERS[kind].make());
  return file;
}
