import type { TestProject } from "vitest/node";
import { fetchNodeLlamaCpp, NODE_LLAMA_CPP_BUILDS } from "../../../scripts/fetch-node-llama-cpp.mjs";

/** node-llama-cpp's real CUDA 13 builds (Linux and Windows), fetched once into node_modules/.cache. */
export default function setup(project: TestProject): void {
  project.provide("nodeLlamaCpp", { linux: fetchNodeLlamaCpp(NODE_LLAMA_CPP_BUILDS.linuxCuda), windows: fetchNodeLlamaCpp(NODE_LLAMA_CPP_BUILDS.windowsCuda) });
}

declare module "vitest" {
  export interface ProvidedContext {
    /** Folders holding bins/linux-x64-cuda/libggml-cuda.so and bins/win-x64-cuda/ggml-cuda.dll. */
    nodeLlamaCpp: { linux: string; windows: string };
  }
}
