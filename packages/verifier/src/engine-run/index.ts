export { generatedFileBytes, writeGeneratedFile } from "./generated-files.js";
export { answerShapeProblem, type HttpSmokeOutcome, runHttpSmoke } from "./http-smoke.js";
export { NATIVE_RUNNER, QEMU_AARCH64_RUNNER, type Runner, WINE_RUNNER } from "./runner.js";
export { expandServerArgs, freePort, LOOPBACK, type NotAnswered, type ServedEngine, serveEngine, waitForStatus } from "./serve-engine.js";
export { type EngineExit, type EngineRun, engineEnvironment, runEngine, type StartedEngine, startEngine } from "./start-engine.js";
export { GGML_FILE_MAGIC, seededRandom, tinyWhisperModel } from "./tiny-whisper-model.js";
export { toneWav } from "./tone-wav.js";
