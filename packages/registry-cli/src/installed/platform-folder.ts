/**
 * The parts of an installed platform folder's name, `<os>-<arch>-<accelerator token>[-variant]`
 * (os and arch hold no dash), that activation rules look at. Pure.
 */

/** The machine part: `linux-x86_64-cuda13` → `linux-x86_64` (the active record's key). */
export const osArchOfFolder = (platform: string): string => platform.split("-").slice(0, 2).join("-");

/** The accelerator part: `linux-x86_64-cuda13` → `cuda13`, `linux-x86_64-cpu-avx2` → `cpu-avx2`. */
export const accelOfFolder = (platform: string): string => platform.split("-").slice(2).join("-");

/** Whether a platform folder holds a CPU build (its accelerator token is `cpu`, whatever the variant). */
export const isCpuPlatform = (platform: string): boolean => accelOfFolder(platform).split("-")[0] === "cpu";
