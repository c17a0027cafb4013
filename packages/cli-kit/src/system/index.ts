export { exists } from "./exists.js";
export { hostPlatform, requireHostPlatform, UnsupportedHostError } from "./host-platform.js";
export { mapConcurrent } from "./map-concurrent.js";
export { makeFolders } from "./make-folders.js";
export { renameWithRetry } from "./rename.js";
export { type RunToolOptions, runTool, type ToolRun, toolOutput } from "./run-tool.js";
export { sha256File } from "./sha256-file.js";
export { hashTree, isGitTopLevel, newestFileTime, sourceIdentity } from "./source-identity.js";
export { which, type WhichOptions } from "./which.js";
