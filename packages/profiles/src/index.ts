export type { AcceleratorProfile, Toolkit } from "./accelerator-profile.js";
export { findAcceleratorProfile, gpuTargetList, listAcceleratorProfiles } from "./accelerators.js";
export { DevBuild, devBuildFacts, EngineProfile, exampleVersion, type EngineSource, RuntimeModules, sourceTag, VersionRule, versionOfTag } from "./engine-profile.js";
export { findEngineProfile, listEngineProfiles } from "./engines.js";
export {
  DeviceProbe,
  GENERATED_FILES,
  GeneratedFile,
  type HttpSmoke,
  JSON_TYPES,
  type ListDevicesProbe,
  type LogLinesProbe,
  Smoke,
  SmokeBody,
} from "./engine-run.js";
export type { ToolchainProfile } from "./toolchain-profile.js";
export { findToolchain, listToolchainProfiles, nativeToolchain } from "./toolchains.js";
export { parseToolkitVersion } from "./toolkit-version.js";
export type { RuntimePlatform, RuntimeProfile, VersionSource } from "./runtime-profile.js";
export { listRuntimeProfiles, parseRuntimeProfiles, type RuntimeTarget, runtimeForToken, runtimeProviding } from "./runtimes.js";
