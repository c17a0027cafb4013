// The public API, named: what the app side and the tests use. A new export is a decision, not a side effect of a file.
export { DeviceProbeRefusedError, DownloadError, EnginesFolderLockedError, HashMismatchError, IndexChangedError, IndexInvalidError, IndexLockedError, InstallLockedError, InstallRefusedError, LockTimeoutError, NoPackageFitsError, PackageRefusedError, UpdateRefusedError } from "./errors.js";
export {
  AcceleratorNotChosenError,
  ActiveRecordChangedError,
  ActiveRecordInvalidError,
  ActiveRecordNewerError,
  ActiveRecordUnreadableError,
  ActiveVersionError,
  EngineNotInstalledError,
  FolderInUseError,
  ManageRefusedError,
  NoLatestVersionError,
  NothingToRollBackError,
  VersionNotInstalledError,
} from "./errors.js";
export { DEFAULT_LOCK_STALE_MS, DEFAULT_LOCK_TIMEOUT_MS, canonicalRegistryText, canonicalRegistryValue, createIndex, fsyncFolder, isTempFileOf, lockIndex, lockPathFor, modifyIndex, parseIndexText, readIndex, removeStaleTempFiles, sha256Text, tempPathFor, utcTimestamp, writeFileAtomic, type AtomicWriteOptions, type LoadedIndex, type LockOptions, type ModifyResult, type ReadIndexOptions } from "./index-file/index.js";
export { initRepository, planInit } from "./init/init-repository.js";
export { DEFAULT_BASE_URL, readme, releaseWorkflow } from "./init/templates.js";
export { PackageDownload, RestartFromZero, type DownloadOptions } from "./install/download.js";
export { defaultEnginesDir, installPath, platformFolderName } from "./install/engines-dir.js";
export { importIncoming, type ImportOutcome } from "./install/import-incoming.js";
export { applyInstall, fileBaseUrl, installFile, installResolved, type DownloadTuning, type InstallDeps, type InstallResult, type Registry } from "./install/install-package.js";
export { describeInstallPlan, planFileInstall, planInstall, planResolvedInstall, platformFolder, type InstallPlan, type InstallSource } from "./install/install-plan.js";
export { installingPath, placeInstall, recoverInterrupted } from "./install/place-install.js";
export { runInstall, type InstallCheck, type InstallRoute, type InstalledState, type PipelineOutcome } from "./install/pipeline.js";
export { describeTarget, planTarget, type InstallTarget, type InstalledFacts } from "./install/install-target.js";
export { formatTable, listRows, type ListRow } from "./list/list-engines.js";
export { applyMigrate, exportPackagesJson, readPackagesIndex, type MigrateResult } from "./packages-json/apply-packages-json.js";
export { engineFromLive, packageFromLive, runtimeFromLive } from "./packages-json/from-packages-index.js";
export { planMigrate, type MigrateChanges, type MigrateItemChange, type MigrateOptions, type MigratePlan } from "./packages-json/plan-migrate.js";
export { toPackagesIndex, type PackagesJsonExport } from "./packages-json/to-packages-index.js";
export { choosePackage, choosePackageFor, type Choice, type PlatformRequest } from "./resolve/choose-package.js";
export { detectHostFacts, parseNvidiaSmiCudaVersion, parseRocmVersion, type HostFacts } from "./resolve/host-facts.js";
export { detectRuntimeFacts, highestGlibcxx, parseComputeCapabilities, parseGlibcVersion, parseLdconfigPath, runProbe, type RuntimeFacts } from "./resolve/host-runtime-facts.js";
export { runsOn, unmetRequirements, type PackageRequirements, type UnmetRequirement } from "./resolve/requirements-check.js";
export { resolvePackage, type Resolution, type ResolveOptions } from "./resolve/resolve-package.js";
export { vulkanChoice } from "./resolve/vulkan-choice.js";
export { applyUpdate, type ApplyUpdateOptions, type UpdateResult } from "./update/apply-update.js";
export { engineMetadata, runtimeMetadata, type EngineMetadata } from "./update/engine-metadata.js";
export { checkVersionOrder, highestVersion, mergeEnginePackages, mergePackages, publishesVersion, utcDate, withContent, withEngine, type PackageDiff, type UpdateRefusal } from "./update/merge-version.js";
export { applyRenames, indexNameStyle, namePackagesLikeIndex, planRenames, renamedScan, type PackageRename } from "./update/name-style.js";
export { describePlaceholder, planUpdate, type UpdateChanges, type UpdateContext, type UpdateOptions, type UpdatePlan } from "./update/plan-update.js";
export { listFiles, scanPackages, type ScanKind, type ScanResult, type ScannedPackage } from "./update/scan-packages.js";
export { planSetBaseUrl } from "./update/set-base-url.js";
export { checkPackageFiles, checkPackageUrls, listedPackages, validateIndexFile, type ValidationProblem } from "./validate/validate-index.js";
export { packageVerifier, type ByteSource, type ExtractedPackage, type ExtractedRuntime, type Finding, type PackageCheck, type PackageVerifier } from "./verifier-port.js";
export { compareEngineVersions, parseVersion, type VersionScheme } from "./version/compare-versions.js";
export { planInstallRequest, type InstallAsk, type InstallRequest } from "./install/install-request.js";
export { platformTarget, type PlatformTarget } from "./resolve/platform-request.js";
export { keepsHistory, newestFirst, publishedVersions, recordVersion, seedVersions, type PublishedVersion, type RecordedVersion } from "./history/engine-history.js";
export { applyYank, planYank, type YankChange, type YankPlan } from "./history/yank.js";
export { checkDiskSpace, formatBytes, freeBytes, installNeeds, NotEnoughSpaceError, packageNeeds, type SpaceNeed } from "./install/disk-space.js";
export { activateInstalled, activeNote, planActivation, type Activation, type InstalledTarget } from "./installed/activate.js";
export { activeRecordPath, emptyActiveRecord, readActiveRecord, withEnginesLock, writeActiveRecord, type LoadedActiveRecord } from "./installed/active-record-file.js";
export { scanEnginesFolder, type EnginesFolder, type InstalledEngine, type InstalledStore, type StrayFolder } from "./installed/engines-folder.js";
export { bytesFreed, folderBytes, walkFiles, type FileFacts } from "./installed/file-usage.js";
export { listInstalled, type InstalledReport, type InstalledRow } from "./installed/installed-list.js";
export { applyManage, emptyTrash, trashPath, type ManageResult } from "./installed/manage-apply.js";
export { isActive, planPrune, planRemove, type ManagePlan, type Removal, type RemoveRequest } from "./installed/manage-plan.js";
export { chooseLatest, planRollback, planUse, type UseRequest } from "./installed/use-plan.js";
export { runtimeLinkOf, storesInUse, type RuntimeLink } from "./installed/runtime-links.js";
export { engineAsk, parseEngineRef, type EngineRef } from "./resolve/engine-ref.js";
