// The tiny model lives with the GPU acceptance run, which serves it too.
export { tinyLlamaGguf } from "../../apps/gpu-acceptance/src/model/tiny-llama.js";
