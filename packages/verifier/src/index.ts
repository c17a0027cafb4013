export * from "./findings.js";
export { DEFAULT_LIMITS, type Limits, LIMIT_FLAGS, resolveLimits } from "./limits.js";
export { type VerifyOptions, type VerifyReport, verifyPackage } from "./verify.js";
export { type ExtractOptions, type ExtractResult, extractPackage, PackageRejectedError } from "./extract.js";
export { type SmokeResult, hostPlatform, planSmoke } from "./smoke.js";
export { type TarEntry, type TarEntryType, TarReader } from "./archive/tar-reader.js";
export { GzipMemberReader } from "./archive/gzip-stream.js";
export { listPackageEntries } from "./list.js";
export * from "./binary/index.js";
