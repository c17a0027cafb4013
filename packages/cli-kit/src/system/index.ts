export { hostPlatform, requireHostPlatform, UnsupportedHostError } from "./host-platform.js";
export { mapConcurrent } from "./map-concurrent.js";
export { makeFolders } from "./make-folders.js";
export { renameWithRetry } from "./rename.js";
export { hashTree, isGitTopLevel, newestFileTime, sourceIdentity } from "./source-identity.js";
export { which, type WhichOptions } from "./which.js";
export { DEFAULT_LOCK_STALE_MS, describeHolder, type LockHolder, lockPath, lockPathFor, type PathLockOptions } from "./path-lock.js";
