// The GGUF writer lives with the GPU acceptance run, which serves a generated model too.
export * from "../../apps/gpu-acceptance/src/model/gguf-writer.js";
