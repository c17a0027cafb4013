/**
 * The parts of an installed platform folder's name, `<os>-<arch>-<accelerator token>[-variant]`,
 * that activation rules look at. Pure.
 */

/** The accelerator part of a platform folder on `osArch`: `linux-x86_64-cuda13` → `cuda13`, `linux-x86_64-cpu-avx2` → `cpu-avx2`. */
export const accelPart = (platform: string, osArch: string): string => platform.slice(osArch.length + 1);

/** Whether a platform folder holds a CPU build (its accelerator token is `cpu`, whatever the variant). */
export const isCpuPlatform = (platform: string, osArch: string): boolean => accelPart(platform, osArch).split("-")[0] === "cpu";

/** The accelerator part of a platform folder name alone (`<os>-<arch>-<accel>[-variant]`; os and arch hold no dash): `linux-x86_64-cuda13` → `cuda13`. */
export const accelOfFolder = (platform: string): string => platform.split("-").slice(2).join("-");
