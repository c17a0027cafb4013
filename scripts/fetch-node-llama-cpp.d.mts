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
