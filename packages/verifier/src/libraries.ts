// The library closure: policy, trees, loader rules, the package check, the packer's walk.
export { type CheckLibrariesOptions, checkLibraries, type LibraryCheck, type RuntimeLink, runnableSlices } from "./libraries/check.js";
export { explainMiss } from "./libraries/diagnose.js";
export { checkLibraryFolder, readLibraryFolder } from "./libraries/folder.js";
export { classify, expandRunPath, type LoadedObject, type LoaderContext, type Resolution, resolveNeeded, searchDirs } from "./libraries/loader.js";
export { LibraryPolicy, loadLibraryPolicy, parseLibraryPolicy, type PolicyClass, PolicyError, policyMatcher } from "./libraries/policy.js";
export { type LibraryRequirements, libraryRequirements } from "./libraries/requirements.js";
export { DiskTree, type LibraryTree, type PackageBinary, type PackageSymlink, PackageTree, type TreeLookup } from "./libraries/tree.js";
export { type ClosureObject, type ClosureWalk, walkClosure } from "./libraries/walk.js";
