// node-llama-cpp's real CUDA 13 builds (Linux and Windows), fetched once into node_modules/.cache.
export { provideNodeLlamaCpp as default } from "../../../scripts/fetch-node-llama-cpp.mjs";
