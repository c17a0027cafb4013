import { listAcceleratorProfiles, listEngineProfiles } from "@baiengine/profiles";
import type { MatrixSources } from "./matrix-sources.js";

/** Folder of @baiengine/packer in this repository: local engine sources (fixtures) are relative to it. */
export const PACKER_DIR = "packages/packer";

/** The profiles (@baiengine/profiles): the matrix's one source besides the schema's platform matrix. */
export function defaultSources(): MatrixSources {
  return {
    engines: listEngineProfiles(),
    accelerators: listAcceleratorProfiles(),
    packerDir: PACKER_DIR,
  };
}
