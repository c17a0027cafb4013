export interface NodeLlamaCppBuild {
  name: string;
  version: string;
  /** Paths inside the npm tarball, below package/. */
  files: string[];
}
export declare const NODE_LLAMA_CPP_CACHE: string;
export declare const NODE_LLAMA_CPP_BUILDS: { linuxCuda: NodeLlamaCppBuild; windowsCuda: NodeLlamaCppBuild };
/** The folder holding the build's extracted files, fetched with `npm pack` when missing. */
export declare function fetchNodeLlamaCpp(build: NodeLlamaCppBuild): string;
/** A vitest global setup: fetches both builds once and provides their folders as `nodeLlamaCpp`. */
export declare function provideNodeLlamaCpp(project: { provide(key: "nodeLlamaCpp", value: { linux: string; windows: string }): void }): void;

declare module "vitest" {
  export interface ProvidedContext {
    /** Folders holding bins/linux-x64-cuda/ (libggml-cuda.so, libggml-base.so, libggml-cpu-x64.so, libggml-cpu-haswell.so) and bins/win-x64-cuda/ggml-cuda.dll. */
    nodeLlamaCpp: { linux: string; windows: string };
  }
}
